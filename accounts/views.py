from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import privacy
from accounts.forms import ConfirmPasswordForm


def home(request):
    return render(request, "home.html")


def organizers(request):
    return render(request, "accounts/organizers.html")


@login_required
def dashboard(request):
    return render(request, "accounts/dashboard.html")


@login_required
@require_http_methods(["GET", "POST"])
def download_data(request):
    form = ConfirmPasswordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        stamp = timezone.now().strftime("%Y%m%d")
        response = HttpResponse(privacy.export_json(request.user), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
        return response
    return render(request, "accounts/download_data.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = ConfirmPasswordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        privacy.erase_user(user)
        messages.success(request, "Your account and personal data have been deleted.")
        return redirect("home")
    return render(request, "accounts/delete_account.html", {"form": form})
