from django.urls import include, path

from trainings import views

app_name = "trainings"

urlpatterns = [
    path("", include("trainings.program_urls")),
    path("trainings/", views.training_list, name="list"),
    path("trainings/calendar.ics", views.calendar_feed, name="feed"),
    path("trainings/<slug:slug>/", views.training_detail, name="detail"),
    path("trainings/<slug:slug>/calendar.ics", views.training_calendar, name="calendar"),
    path("trainings/<slug:slug>/register/", views.register, name="register"),
    path("trainings/<slug:slug>/group/", views.group_register, name="group"),
    path("trainings/<slug:slug>/check-in/", views.check_in, name="check_in"),
    path("trainings/<slug:slug>/registrants.csv", views.export_registrants, name="export"),
    path("trainings/<slug:slug>/emails/", views.email_list, name="emails"),
    path("trainings/registrations/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("trainings/registrations/<int:pk>/claim/", views.claim, name="claim"),
    path("trainings/registrations/<int:pk>/decline/", views.decline, name="decline"),
]
