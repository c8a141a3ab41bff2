from allauth.account import views as allauth_views
from allauth.account.internal.flows.email_verification import (
    send_verification_email_to_address,
)
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import privacy, queries
from accounts.forms import ConfirmPasswordForm
from accounts.page_cache import render_public


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


class ConfirmEmailView(allauth_views.ConfirmEmailView):
    """allauth's page, plus the two links it no longer accepts: one whose address is already
    confirmed says so and where to go next; an expired one offers a new link (action_resend),
    sent to the address it was for, under allauth's resend rate limit."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.object:
            context["link_state"], _ = queries.confirmation_link_state(self.kwargs["key"])
        return context

    def post(self, *args, **kwargs):
        if "action_resend" not in self.request.POST:
            return super().post(*args, **kwargs)
        state, address = queries.confirmation_link_state(self.kwargs["key"])
        if state != queries.EXPIRED:
            return redirect(self.request.path)
        if send_verification_email_to_address(self.request, address):
            messages.success(self.request, f"We sent a new link to {address.email}.")
            return redirect("account_email_verification_sent")
        self.object = None
        context = self.get_context_data(resend_limited=True)
        return self.render_to_response(context)


def home(request):
    return render_public(request, "home.html")


def contact(request):
    context = {"support_email": settings.SUPPORT_EMAIL}
    return render_public(request, "accounts/contact.html", context)


def organizers(request):
    return render_public(request, "accounts/organizers.html")


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


# The right password earns a short-lived grant in the session, and the page is shown afresh
# with the file's link: answering the POST with the file itself would leave a wrong password's
# error on screen after a successful download (the browser keeps the page it had).
DOWNLOAD_GRANT = "accounts.download_data_until"
DOWNLOAD_GRANT_SECONDS = 300


def _download_granted(request) -> bool:
    return request.session.get(DOWNLOAD_GRANT, 0) >= timezone.now().timestamp()


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def download_data(request):
    form, limited = _password_confirmation(request)
    if limited:
        return limited
    if form.is_bound and form.is_valid():
        until = timezone.now().timestamp() + DOWNLOAD_GRANT_SECONDS
        request.session[DOWNLOAD_GRANT] = until
        return redirect("accounts:download_data")
    context = {"form": form, "ready": not form.is_bound and _download_granted(request)}
    return render(request, "accounts/download_data.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def download_data_file(request):
    """The JSON file, for a few minutes after the password was given on the page above."""
    if not _download_granted(request):
        return redirect("accounts:download_data")
    stamp = timezone.now().strftime("%Y%m%d")
    response = HttpResponse(privacy.export_json(request.user), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
    return response


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
