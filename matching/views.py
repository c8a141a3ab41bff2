"""The volunteer's and the organizers' side of a match.

Volunteers: "My matches", one page per match, Accept / Decline (the links in the proposal
email: GET shows the proposal and a button, only POST changes anything, since mail scanners
open links), hours and feedback, and "I can help" on a public request. Organizers: the helpers
of one request (fights/ links here by URL name only), marking the work started or done, and
their feedback. Each view fetches through matching/queries.py and acts through
matching/services.py; a refused move re-renders with the reason and a 400, changing nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from donors.queries import own_donor
from fights.access import request_for_organizer
from fights.models import SupportRequest
from matching import mail, queries, services
from matching.forms import DeclineForm, FeedbackForm, HoursForm
from matching.models import Match, MatchStatus
from matching.services import MatchError

# --- Volunteers --------------------------------------------------------------------------------


@login_required
@require_safe
def my_matches(request):
    context = {"sections": queries.my_matches(request.user), "is_volunteer": None}
    if not any(context["sections"].values()):
        context["is_volunteer"] = own_donor(request.user, with_profile=False) is not None
    return render(request, "matching/my_matches.html", context)


def _donor_page(request, match, *, hours_form=None, feedback_form=None, refusal="", status=200):
    introduced = queries.is_introduced(match)
    context = {
        "match": match,
        "support_request": match.request,
        "fight": match.request.fight,
        "shows_details": queries.donor_sees_details(match),
        "answerable": queries.is_answerable(match),
        "introduced": introduced,
        "organizers": (
            [mail.organizer_contact(u) for u in mail.organizers_to_introduce(match.request)]
            if introduced
            else []
        ),
        "offers": mail.offers(match),
        "hours_form": hours_form
        or (HoursForm(initial={"hours": match.hours_logged}) if _can_log_hours(match) else None),
        "feedback_form": feedback_form
        or (FeedbackForm() if _can_leave_feedback(match, "donor") else None),
        "refusal": refusal,
    }
    return render(request, "matching/detail.html", context, status=status)


def _can_log_hours(match) -> bool:
    return match.status in services.HOURS_STATUSES


def _can_leave_feedback(match, side) -> bool:
    return match.status == MatchStatus.COMPLETED and getattr(match, f"{side}_feedback_at") is None


@login_required
@require_safe
def detail(request, pk):
    return _donor_page(request, queries.match_for_donor(request, pk))


def _answer_page(request, match, template, *, form=None, refusal="", status=200):
    context = {
        "match": match,
        "support_request": match.request,
        "fight": match.request.fight,
        "shows_details": queries.donor_sees_details(match),
        "answerable": queries.is_answerable(match) and not refusal,
        "form": form,
        "refusal": refusal,
    }
    return render(request, f"matching/{template}", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def accept(request, pk):
    match = queries.match_for_donor(request, pk)
    if request.method != "POST":
        return _answer_page(request, match, "accept.html")
    try:
        services.accept_match(match, by=request.user)
    except MatchError as refusal:
        return _answer_page(request, match, "accept.html", refusal=str(refusal), status=400)
    messages.success(
        request,
        _("Thank you! You and the organizers now have each other's contact details by email."),
    )
    return redirect("matching:detail", pk=match.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def decline(request, pk):
    match = queries.match_for_donor(request, pk)
    form = DeclineForm(request.POST if request.method == "POST" else None)
    if not form.is_bound:
        return _answer_page(request, match, "decline.html", form=form)
    if not form.is_valid():
        return _answer_page(request, match, "decline.html", form=form, status=400)
    try:
        services.decline_match(match, by=request.user, reason=form.cleaned_data["reason"])
    except MatchError as refusal:
        context = {"form": form, "refusal": str(refusal), "status": 400}
        return _answer_page(request, match, "decline.html", **context)
    messages.success(request, _("You declined. Thank you for answering."))
    return redirect("matching:my_matches")


@login_required
@require_POST
def log_hours(request, pk):
    match = queries.match_for_donor(request, pk)
    form = HoursForm(request.POST)
    if not form.is_valid():
        return _donor_page(request, match, hours_form=form, status=400)
    try:
        services.log_hours(match, by=request.user, hours=form.cleaned_data["hours"])
    except MatchError as refusal:
        return _donor_page(request, match, refusal=str(refusal), status=400)
    messages.success(request, _("Hours saved. Thank you!"))
    return redirect("matching:detail", pk=match.pk)


@login_required
@require_POST
def donor_feedback(request, pk):
    match = queries.match_for_donor(request, pk)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _donor_page(request, match, feedback_form=form, status=400)
    try:
        services.leave_donor_feedback(match, by=request.user, **form.cleaned_data)
    except MatchError as refusal:
        return _donor_page(request, match, refusal=str(refusal), status=400)
    messages.success(request, _("Feedback saved. Thank you!"))
    return redirect("matching:detail", pk=match.pk)


@require_POST
def offer_help(request, pk):
    """ "I can help" on a public open request: a suggestion staff review like any other."""
    support_request = get_object_or_404(
        SupportRequest.objects.listed().select_related("fight"), pk=pk
    )
    public_url = reverse("fights:request", kwargs={"slug": support_request.fight.slug, "pk": pk})
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?{urlencode({'next': public_url})}")
    donor = own_donor(request.user, with_profile=False)
    if donor is None:
        messages.info(request, _("Tell us what you can do first: create your volunteer profile."))
        return redirect("donors:profile_edit")
    if Match.objects.open().filter(request=support_request, donor=donor).exists():
        messages.info(request, _("You have already offered to help with this request."))
        return redirect("matching:my_matches")
    try:
        services.offer_help(request=support_request, donor=donor)
    except MatchError as refusal:
        messages.warning(request, str(refusal))
        return redirect(public_url)
    messages.success(
        request,
        _("Thank you for offering! Staff will look at it and ask you if it fits."),
    )
    return redirect("matching:my_matches")


# --- Organizers --------------------------------------------------------------------------------


def _organizer_page(request, support_request, *, forms=None, refusal=None, status=200):
    sections = queries.helpers_of_request(support_request)
    forms = forms or {}
    for helper in sections["done"]:
        if helper.match.organizer_feedback_at is None:
            helper.feedback_form = forms.get(helper.match.pk) or FeedbackForm(
                prefix=f"m{helper.match.pk}"
            )
    context = {
        "support_request": support_request,
        "fight": support_request.fight,
        "organization": support_request.fight.organization,
        "sections": sections,
        "refusal": refusal,
    }
    return render(request, "matching/request_matches.html", context, status=status)


@login_required
@require_safe
def request_matches(request, pk):
    return _organizer_page(request, request_for_organizer(request, pk))


def _organizer_move(service, done_message):
    """A POST-only view moving one match of the organizer's request with `service`."""

    @login_required
    @require_POST
    def view(request, pk):
        match = queries.match_for_organizer(request, pk)
        support_request = request_for_organizer(request, match.request_id)
        try:
            service(match, by=request.user)
        except MatchError as refusal:
            refused = {"match": match.pk, "message": str(refusal)}
            return _organizer_page(request, support_request, refusal=refused, status=400)
        name = queries.helper_for_organizers(match).name
        messages.success(request, done_message % {"name": name})
        return redirect("matching:request_matches", pk=support_request.pk)

    view.__name__ = service.__name__
    return view


start = _organizer_move(services.start_match, _("Work with %(name)s has started."))
complete = _organizer_move(
    services.complete_match, _("Work with %(name)s is marked done. Thank you both!")
)


@login_required
@require_POST
def organizer_feedback(request, pk):
    match = queries.match_for_organizer(request, pk)
    support_request = request_for_organizer(request, match.request_id)
    form = FeedbackForm(request.POST, prefix=f"m{match.pk}")
    if not form.is_valid():
        return _organizer_page(request, support_request, forms={match.pk: form}, status=400)
    try:
        services.leave_organizer_feedback(match, by=request.user, **form.cleaned_data)
    except MatchError as refusal:
        refused = {"match": match.pk, "message": str(refusal)}
        return _organizer_page(request, support_request, refusal=refused, status=400)
    messages.success(request, _("Feedback saved. Thank you!"))
    return redirect("matching:request_matches", pk=support_request.pk)
