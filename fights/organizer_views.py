"""The organizer side: organizations, members, fights, support requests, the guided path and
the dashboard. Each view fetches through fights/access.py, validates with a form, acts through
fights/services.py. Invalid or refused input re-renders the page with the message and a 400.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from fights import services
from fights.access import (
    fight_for_organizer,
    membership_for,
    organization_for_organizer,
    request_for_organizer,
)
from fights.forms import (
    FightForm,
    FightStatusForm,
    GuidedForm,
    InvitationForm,
    OrganizationForm,
    SupportRequestForm,
)
from fights.models import Fight, Membership, Organization, SupportRequest


def _render(request, template, context, *, form=None, status=None):
    """Render; a bound form with errors answers 400, so a bad POST never looks like success."""
    if status is None:
        status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(request, f"fights/organizer/{template}", context, status=status)


def _data(request):
    return request.POST if request.method == "POST" else None


# --- Dashboard -------------------------------------------------------------------------------


def dashboard_organizations(user) -> list[Organization]:
    """The person's organizations with members, fights and requests: a fixed number of queries
    however many there are."""
    fights = Fight.objects.prefetch_related(
        Prefetch("requests", queryset=SupportRequest.objects.order_by("needed_by", "pk"))
    )
    organizations = Organization.objects.for_member(user).prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("user")),
        Prefetch("fights", queryset=fights),
    )
    organizations = list(organizations)
    for organization in organizations:
        own = [m for m in organization.memberships.all() if m.user_id == user.pk]
        organization.my_membership = own[0]
    return organizations


@login_required
def dashboard(request):
    organizations = dashboard_organizations(request.user)
    return _render(request, "dashboard.html", {"organizations": organizations})


# --- Organizations and members ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def organization_create(request):
    form = OrganizationForm(_data(request))
    if form.is_valid():
        organization = services.create_organization(by=request.user, data=form.organization_data())
        messages.success(
            request,
            _(
                "%(org)s is created. You can draft fights and requests now; staff verify the "
                "organization before its requests are shown to volunteers."
            )
            % {"org": organization.name},
        )
        return redirect("fights:dashboard")
    return _render(request, "organization_form.html", {"form": form}, form=form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def members(request, slug):
    membership = membership_for(request, slug)
    organization = membership.organization
    if request.method == "POST" and not membership.is_admin:
        raise PermissionDenied(_("Only the organization's admins can invite members."))
    form = InvitationForm(_data(request)) if membership.is_admin else None
    if form is not None and form.is_valid():
        try:
            services.invite_member(
                organization=organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
        except services.Refused as refusal:
            form.add_error("email", str(refusal))
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("fights:members", slug=organization.slug)
    context = {
        "organization": organization,
        "membership": membership,
        "members": organization.memberships.select_related("user").order_by("user__email"),
        "pending": organization.invitations.filter(accepted_at__isnull=True),
        "form": form,
    }
    return _render(request, "members.html", context, form=form)


@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request, token):
    """The link in the invitation email. Anyone holding it sees which organization invites;
    accepting needs the invited address signed in."""
    try:
        found = services.invitation_from_token(token)
    except services.Refused as refusal:
        return _render(request, "invitation.html", {"refusal": str(refusal)}, status=400)
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.accept_invitation(token=token, user=request.user)
        except services.Refused as refusal:
            context = {"invitation": found, "refusal": str(refusal)}
            return _render(request, "invitation.html", context, status=400)
        messages.success(
            request,
            _("You are now a member of %(org)s.") % {"org": membership.organization.name},
        )
        return redirect("fights:dashboard")
    wrong_address = (
        request.user.is_authenticated and request.user.email.lower() != found.email.lower()
    )
    inviter = found.invited_by
    context = {
        "invitation": found,
        "inviter": (inviter and (inviter.display_name or inviter.email)) or _("A member"),
        "wrong_address": wrong_address,
    }
    return _render(request, "invitation.html", context)


# --- Fights ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def fight_create(request, slug):
    organization = organization_for_organizer(request, slug)
    form = FightForm(_data(request), organization=organization)
    if form.is_valid():
        fight = services.create_fight(
            organization=organization, by=request.user, data=form.fight_data()
        )
        messages.success(request, _("Fight created. Now say what it needs."))
        return redirect("fights:organizer_fight", slug=fight.slug)
    context = {"form": form, "organization": organization}
    return _render(request, "fight_form.html", context, form=form)


def _fight_page(request, fight, *, refusal=None, status=200):
    requests = fight.requests.prefetch_related("request_skills__skill", "languages").order_by(
        "needed_by", "pk"
    )
    context = {
        "fight": fight,
        "organization": fight.organization,
        "support_requests": requests,
        "refusal": refusal,
    }
    return _render(request, "fight.html", context, status=status)


@login_required
def fight_manage(request, slug):
    return _fight_page(request, fight_for_organizer(request, slug))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def fight_edit(request, slug):
    fight = fight_for_organizer(request, slug)
    form = FightForm(_data(request), fight=fight)
    if form.is_valid():
        try:
            services.update_fight(
                fight, data=form.fight_data(), version=form.cleaned_data["version"]
            )
        except services.StaleEdit as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Fight saved."))
            return redirect("fights:organizer_fight", slug=fight.slug)
    context = {"form": form, "organization": fight.organization, "fight": fight}
    return _render(request, "fight_form.html", context, form=form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def fight_status(request, slug):
    fight = fight_for_organizer(request, slug)
    form = FightStatusForm(_data(request), fight=fight)
    if form.is_valid():
        try:
            services.change_fight_status(fight, by=request.user, **form.cleaned_data)
        except services.Refused as refusal:
            form.add_error("status", str(refusal))
        else:
            messages.success(request, _("Status saved: %(status)s.") % _status(fight))
            return redirect("fights:organizer_fight", slug=fight.slug)
    context = {"form": form, "fight": fight, "organization": fight.organization}
    return _render(request, "fight_status.html", context, form=form)


def _status(row):
    return {"status": row.get_status_display()}


# --- Support requests ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def request_create(request, slug):
    fight = fight_for_organizer(request, slug)
    form = SupportRequestForm(_data(request), fight=fight)
    if form.is_valid():
        services.create_request(fight=fight, by=request.user, data=form.request_data())
        messages.success(request, _("Request saved as a draft. Open it when it is ready."))
        return redirect("fights:organizer_fight", slug=fight.slug)
    context = {"form": form, "fight": fight, "organization": fight.organization}
    return _render(request, "request_form.html", context, form=form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def request_edit(request, pk):
    support_request = request_for_organizer(request, pk)
    fight = support_request.fight
    form = SupportRequestForm(_data(request), support_request=support_request)
    if form.is_valid():
        try:
            services.update_request(
                support_request, data=form.request_data(), version=form.cleaned_data["version"]
            )
        except services.Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Request saved."))
            return redirect("fights:organizer_fight", slug=fight.slug)
    context = {
        "form": form,
        "fight": fight,
        "organization": fight.organization,
        "support_request": support_request,
    }
    return _render(request, "request_form.html", context, form=form)


def _transition(service, done_message):
    """A POST-only view that moves one request with `service`, or shows why it cannot."""

    @login_required
    @require_POST
    def view(request, pk):
        support_request = request_for_organizer(request, pk)
        try:
            service(support_request, by=request.user)
        except services.Refused as refusal:
            refused = {"request": support_request, "message": str(refusal)}
            return _fight_page(request, support_request.fight, refusal=refused, status=400)
        messages.success(request, done_message % {"title": support_request.title})
        return redirect("fights:organizer_fight", slug=support_request.fight.slug)

    view.__name__ = service.__name__
    return view


request_open = _transition(
    services.open_request, _("“%(title)s” is open: volunteers can now be found for it.")
)
request_fill = _transition(services.mark_filled, _("“%(title)s” is marked filled."))
request_close = _transition(services.close_request, _("“%(title)s” is closed."))
request_cancel = _transition(services.cancel_request, _("“%(title)s” is cancelled."))


# --- The guided path -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def guided(request, slug):
    organization = organization_for_organizer(request, slug)
    fights = list(organization.fights.active().order_by("-created_at", "-pk"))
    initial_fight = next((f for f in fights if f.slug == request.GET.get("fight")), None)
    form = GuidedForm(
        _data(request), organization=organization, fights=fights, initial_fight=initial_fight
    )
    if form.is_valid():
        fight, drafts = services.start_from_templates(
            organization=organization,
            fight=form.chosen_fight(),
            new_fight=form.new_fight_data(),
            by=request.user,
            data=form.guided_data(),
        )
        messages.success(
            request,
            ngettext(
                "%(count)d draft request is ready. Read it, add what you know, and open it.",
                "%(count)d draft requests are ready. Read each, add what you know, and open them.",
                len(drafts),
            )
            % {"count": len(drafts)},
        )
        return redirect("fights:organizer_fight", slug=fight.slug)
    context = {"form": form, "organization": organization}
    return _render(request, "guided.html", context, form=form)
