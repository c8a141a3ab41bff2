from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notifications.forms import PreferencesForm
from notifications.preferences import resolve_unsubscribe, set_preference, set_preferences


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request):
    # Not `request.POST or None`: unticking every box posts no field at all.
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(data, user=request.user)
    if request.method == "POST" and form.is_valid():
        set_preferences(user=request.user, choices=form.choices())
        messages.success(request, "Your email preferences are saved.")
        return redirect("notifications:preferences")
    # Only what a person can turn off is listed (notifications/kinds.py, the optional kinds);
    # account and security mail is explained in one sentence on the page.
    return render(request, "notifications/preferences.html", {"form": form})


# RFC 8058 one-click unsubscribe: the mail client POSTs to the List-Unsubscribe URL without
# cookies, so there is no CSRF token to check. The signed token in the URL is the credential,
# and the only thing it can do is switch one kind off for one person — nothing to forge.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    try:
        user, kind = resolve_unsubscribe(token)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    except LookupError:
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    context = {"kind": kind, "email": user.email}
    # GET only asks: mail scanners open links, and that must never unsubscribe anyone.
    if request.method == "POST":
        set_preference(user=user, kind=kind.name, enabled=False)
        return render(request, "notifications/unsubscribe_done.html", context)
    return render(request, "notifications/unsubscribe_confirm.html", context)
