from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    path("", TemplateView.as_view(template_name="page.html"), name="page"),
    path("login/", LoginView.as_view(), name="login"),
    path(
        "signed-in/",
        login_required(TemplateView.as_view(template_name="page.html")),
        name="signed_in",
    ),
]
