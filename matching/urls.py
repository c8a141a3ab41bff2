from django.urls import path

from matching import views

app_name = "matching"

# Included at matches/ (config/urls.py). Volunteers' pages first, then organizers'.
urlpatterns = [
    path("", views.my_matches, name="my_matches"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/decline/", views.decline, name="decline"),
    path("<int:pk>/hours/", views.log_hours, name="hours"),
    path("<int:pk>/feedback/", views.donor_feedback, name="donor_feedback"),
    path("offer/<int:pk>/", views.offer_help, name="offer_help"),
    path("requests/<int:pk>/", views.request_matches, name="request_matches"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/organizer-feedback/", views.organizer_feedback, name="organizer_feedback"),
]
