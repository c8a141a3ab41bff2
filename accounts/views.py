from allauth.account import views as allauth_views
from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import privacy
from accounts.forms import ConfirmPasswordForm


# allauth creates the account (or the added address) and then queues its confirmation mail.
# One transaction around both: if queuing fails, no account is left that can never be confirmed.
class SignupView(allauth_views.SignupView):
    @transaction.atomic
    def form_valid(self, form):
        return super().form_valid(form)


class EmailView(allauth_views.EmailView):
    @transaction.atomic
    def form_valid(self, form):
        return super().form_valid(form)


def home(request):
    return render(request, "home.html")


def organizers(request):
    return render(request, "accounts/organizers.html")


@login_required
def dashboard(request):
    return render(request, "accounts/dashboard.html")


def _password_confirmation(request):
    """The re-enter-your-password form, or a 429 once allauth's reauthentication limit trips:
    a borrowed or stolen session must not become a way to guess the password."""
    if request.method != "POST":
        return ConfirmPasswordForm(user=request.user), None
    limited = ratelimit.consume_or_429(request, action="reauthenticate", user=request.user)
    if limited:
        return None, limited
    return ConfirmPasswordForm(request.POST, user=request.user), None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def download_data(request):
    form, limited = _password_confirmation(request)
    if limited:
        return limited
    if form.is_bound and form.is_valid():
        stamp = timezone.now().strftime("%Y%m%d")
        response = HttpResponse(privacy.export_json(request.user), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
        return response
    return render(request, "accounts/download_data.html", {"form": form})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_account(request):
    form, limited = _password_confirmation(request)
    if limited:
        return limited
    if form.is_bound and form.is_valid():
        user = request.user
        logout(request)
        privacy.erase_user(user)
        messages.success(request, "Your account and personal data have been deleted.")
        return redirect("home")
    return render(request, "accounts/delete_account.html", {"form": form})
