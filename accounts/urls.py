from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("organizers/", views.organizers, name="organizers"),
    path("me/", views.dashboard, name="dashboard"),
    path("me/data/", views.download_data, name="download_data"),
    path("me/delete/", views.delete_account, name="delete_account"),
]
