from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path

from accounts import views as account_views

# The admin login goes through allauth, so it is rate-limited and verification-aware too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Knowledge Donors staff"
admin.site.site_title = "Knowledge Donors staff"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("admin/", admin.site.urls),
    # allauth's own views, made atomic (accounts/views.py); the same names and paths.
    path("accounts/signup/", account_views.SignupView.as_view(), name="account_signup"),
    path("accounts/email/", account_views.EmailView.as_view(), name="account_email"),
    re_path(
        r"^accounts/confirm-email/(?P<key>[-:\w]+)/$",
        account_views.ConfirmEmailView.as_view(),
        name="account_confirm_email",
    ),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("donors.urls")),
    path("", include("fights.urls")),
    path("", include("trainings.urls")),
    path("notifications/", include("notifications.urls")),
    path("matches/", include("matching.urls")),
    path("staff/matching/", include("matching.staff_urls")),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
