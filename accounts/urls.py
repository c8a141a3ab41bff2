from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("organizers/", views.organizers, name="organizers"),
    path("contact/", views.contact, name="contact"),
    path("me/", views.dashboard, name="dashboard"),
    path("me/data/", views.download_data, name="download_data"),
    path("me/data/file/", views.download_data_file, name="download_data_file"),
    path("me/delete/", views.delete_account, name="delete_account"),
]
