from django.urls import path

from donors import views

app_name = "donors"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/edit/", views.profile_edit, name="profile_edit"),
    path("profile/pause/", views.profile_pause, name="profile_pause"),
]
