"""Staff review pages (linked from the admin), mounted at /staff/matching/."""

from django.urls import path

from matching import staff_views

app_name = "matching_staff"

urlpatterns = [
    path("queue/", staff_views.queue, name="queue"),
    path("requests/<int:pk>/candidates/", staff_views.candidates, name="candidates"),
]
