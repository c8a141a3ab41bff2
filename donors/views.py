"""The signed-in volunteer's own profile. No view takes a donor id: each person sees only theirs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods

from config import fragments
from donors import queries, services
from donors.forms import PauseForm, ProfileForm


@login_required
def profile(request):
    user = request.user
    rows = queries.own_profile_rows(user)
    if not rows:
        return redirect("donors:profile_edit")
    # The row and the user's two fields shown are all the body shows (config.fragments); the
    # donor is made of the row only when the body is rendered.
    key = ("donors/profile", *rows, user.display_name, user.time_zone)
    body = fragments.render_once(key, lambda: _profile_body(user, rows))
    return render(request, "donors/profile.html", {"body": body})


def _profile_body(user, rows) -> str:
    donor = queries.with_lists(queries.own_donor_from(user, rows))
    context = {
        "donor": donor,
        "skill_groups": queries.grouped_donor_skills(donor),
        "completeness": queries.profile_completeness(donor),
        "time_zone": queries.time_zone_label(donor.user.time_zone),
    }
    return render_to_string("donors/profile.html#body", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_edit(request):
    donor = queries.own_donor(request.user)
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, user=request.user, donor=donor)
    if form.is_valid():
        services.save_donor_profile(user=request.user, data=form.profile_data())
        messages.success(request, "Profile saved.")
        return redirect("donors:profile")
    return render(request, "donors/profile_edit.html", {"form": form, "donor": donor})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_pause(request):
    donor = queries.own_donor(request.user, with_profile=False)
    if donor is None:
        messages.info(request, "Create your volunteer profile first.")
        return redirect("donors:profile_edit")
    form = PauseForm(request.POST if request.method == "POST" else None, donor=donor)
    if form.is_valid():
        messages.success(request, _apply_pause(donor, form.cleaned_data))
        return redirect("donors:profile")
    return render(request, "donors/profile_pause.html", {"form": form, "donor": donor})


def _apply_pause(donor, cleaned) -> str:
    """Call the service the chosen action names; return the message for the person."""
    if cleaned["action"] == PauseForm.RESUME:
        services.resume_donor(donor=donor)
        return "Your profile is active again: we can propose you for fights."
    if cleaned["action"] == PauseForm.INDEFINITELY:
        services.pause_donor_indefinitely(donor=donor)
        return "Your profile is paused until you resume it."
    services.pause_donor(donor=donor, until=cleaned["until"])
    return f"Your profile is paused until {date_format(cleaned['until'], 'j F Y')}."
