"""Staff review pages, linked from the admin: the review queue and one request's candidates.

Staff only (the admin's login). Reading needs `matching.view_match`, every move
`matching.change_match`; the Staff group has both (migration 0003). Requests come from
`SupportRequest.objects.for_staff(user)`, so a confidential request is a 404, the same as a
missing one, for staff without `fights.view_confidential_fight`. Moves are POSTs that redirect
back with messages (post/redirect/get); a malformed POST re-renders the page with a 400.
"""

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fights.models import RequestSkill, SupportRequest
from matching import review, services
from matching.review import QueueView
from matching.staff_forms import (
    CandidateFilterForm,
    MatchMoveForm,
    ProposeForm,
    QueueForm,
    RejectForm,
)

VIEW_PERMISSION = "matching.view_match"
REVIEW_PERMISSION = "matching.change_match"
QUEUE_PAGE_SIZE = 50


def _render(request, template, status=200, **context):
    context = {**admin.site.each_context(request), **context}
    return TemplateResponse(request, template, context, status=status)


@staff_member_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "HEAD"])
def queue(request):
    form = QueueForm(request.GET)
    if not form.is_valid():
        return _render(
            request,
            "matching/staff/queue.html",
            status=400,
            form=form,
            title=_("Review queue"),
            tabs=QueueView.CHOICES,
        )
    view = form.cleaned_data["view"]
    page = Paginator(review.review_queue(request.user, view), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return _render(
        request,
        "matching/staff/queue.html",
        form=form,
        title=_("Review queue"),
        view=view,
        tabs=QueueView.CHOICES,
        page=page,
        unstaffed_critical=review.unstaffed_critical_count(request.user),
    )


def _request_for_review(request, pk) -> SupportRequest:
    """The request, if this staff member may see it; 404 otherwise, as for a missing id."""
    skills = RequestSkill.objects.select_related("skill").order_by("-required", "skill__name")
    return get_object_or_404(
        SupportRequest.objects.for_staff(request.user)
        .select_related("fight__organization")
        .prefetch_related(Prefetch("request_skills", queryset=skills), "languages"),
        pk=pk,
    )


@staff_member_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def candidates(request, pk):
    support_request = _request_for_review(request, pk)
    if request.method == "POST":
        if not request.user.has_perm(REVIEW_PERMISSION):
            raise PermissionDenied(_("Proposing and rejecting need the change-match permission."))
        return _act(request, support_request)
    return _candidates_page(request, support_request)


def _candidates_page(request, support_request, *, errors=(), status=200):
    filters = CandidateFilterForm(request.GET)
    grouped = review.request_matches(support_request)
    rows = []
    if not filters.is_valid():
        status = 400
    elif support_request.is_open:
        within = review.candidate_filter(support_request, **filters.cleaned_data)
        rows = review.ranked_candidates(support_request, within=within)
    return _render(
        request,
        "matching/staff/candidates.html",
        status=status,
        title=_("Candidates for “%(title)s”") % {"title": support_request.title},
        support_request=support_request,
        filters=filters,
        matches_by_status=grouped,
        counts=review.helper_counts(grouped),
        rows=rows,
        errors=errors,
        can_review=request.user.has_perm(REVIEW_PERMISSION),
        withdrawable=review.WITHDRAWABLE,
    )


def _act(request, support_request):
    act = ACTIONS.get(request.POST.get("action", ""))
    if act is None:
        return _candidates_page(request, support_request, errors=[_("Unknown action.")], status=400)
    return act(request, support_request)


def _invalid(request, support_request, form):
    errors = [error for field_errors in form.errors.values() for error in field_errors]
    return _candidates_page(request, support_request, errors=errors, status=400)


def _back(request):
    """Post/redirect/get: back to the same page, filters kept."""
    return redirect(request.get_full_path())


def _report(request, outcomes):
    proposed = [review.donor_name(o.donor) for o in outcomes if o.match is not None]
    if proposed:
        messages.success(request, _("Proposed: %(names)s.") % {"names": ", ".join(proposed)})
    for outcome in outcomes:
        if outcome.refusal:
            messages.error(
                request,
                _("Not proposed: %(name)s. %(reason)s")
                % {"name": review.donor_name(outcome.donor), "reason": outcome.refusal},
            )


def _propose(request, support_request):
    form = ProposeForm(request.POST)
    if not form.is_valid():
        return _invalid(request, support_request, form)
    outcomes = review.propose_candidates(
        request=support_request, donors=form.cleaned_data["donor"], by=request.user
    )
    _report(request, outcomes)
    return _back(request)


def _reject(request, support_request):
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _invalid(request, support_request, form)
    donor = form.cleaned_data["donor"]
    services.reject_candidate(
        request=support_request, donor=donor, by=request.user, reason=form.cleaned_data["reason"]
    )
    messages.success(
        request,
        _("%(name)s is rejected for this request and will not be ranked for it again.")
        % {"name": review.donor_name(donor)},
    )
    return _back(request)


def _promote(request, support_request):
    form = MatchMoveForm(request.POST, support_request=support_request)
    if not form.is_valid():
        return _invalid(request, support_request, form)
    _report(request, [review.promote(form.cleaned_data["match"], by=request.user)])
    return _back(request)


def _withdraw(request, support_request):
    form = MatchMoveForm(request.POST, support_request=support_request)
    if not form.is_valid():
        return _invalid(request, support_request, form)
    match = form.cleaned_data["match"]
    refusal = review.withdraw(match, by=request.user)
    name = review.donor_name(match.donor)
    if refusal:
        reason = {"name": name, "reason": refusal}
        messages.error(request, _("Not withdrawn: %(name)s. %(reason)s") % reason)
    else:
        messages.success(request, _("Withdrawn: %(name)s.") % {"name": name})
    return _back(request)


ACTIONS = {
    "propose": _propose,
    "reject": _reject,
    "promote": _promote,
    "withdraw": _withdraw,
}
