"""Cohort applications, ideas for sessions and the directory; included first by trainings/urls.py
so that these fixed paths win over `trainings/<slug>/`."""

from django.urls import path

from trainings import program_views as views

urlpatterns = [
    path("trainings/<slug:slug>/apply/", views.apply, name="apply"),
    path("trainings/applications/", views.my_applications, name="my_applications"),
    path("trainings/applications/<int:pk>/confirm/", views.confirm_place, name="confirm_place"),
    path("trainings/ideas/", views.propose_idea, name="propose_idea"),
    path("trainings/directory/", views.directory, name="directory"),
    path("trainings/directory/me/", views.directory_entry, name="directory_entry"),
]
