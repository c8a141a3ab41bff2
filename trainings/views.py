"""Public pages, the registrant's actions, and the staff check-in.

GET never changes anything: every action page shows what will happen and a button that POSTs.
The meeting link is put in a page's context only for a registration with a confirmed seat.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from trainings import calendar, queries, services
from trainings.export import registrants_csv
from trainings.filters import TrainingFilter
from trainings.forms import GroupRegistrationForm, RegistrationForm, WalkInForm
from trainings.models import RegistrationStatus, Training

PER_PAGE = 20
CALENDAR_TYPE = "text/calendar; charset=utf-8"


@require_safe
def training_list(request):
    filterset = TrainingFilter(request.GET, queryset=queries.listed_trainings())
    page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page"))
    status = 400 if filterset.form.errors else 200
    context = {"filterset": filterset, "form": filterset.form, "page": page}
    return render(request, "trainings/list.html", context, status=status)


@require_safe
def calendar_feed(request):
    """The public iCal feed: upcoming published trainings, never a meeting link."""
    trainings = Training.objects.listed().select_related("venue")[:200]
    body = calendar.calendar_for(trainings, name=_("Knowledge Donors trainings"))
    return HttpResponse(body, content_type=CALENDAR_TYPE)


@require_safe
def training_calendar(request, slug):
    training = queries.training_for_viewer(request.user, slug)
    response = HttpResponse(calendar.training_ics(training), content_type=CALENDAR_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{training.slug}.ics"'
    return response


def _detail(request, training, *, form=None, status=200):
    registration = queries.registration_of(request.user, training)
    context = {
        "training": training,
        "sessions": queries.programme_of(training),
        "tracks": list(training.tracks.all()),
        "registration": registration,
        "seats_left": services.seats_left(training),
        "is_open": training.is_open_for_registration(),
        "form": form or RegistrationForm(training=training),
        "meeting_url": training.meeting_url
        if registration and registration.sees_meeting_link
        else "",
        "waitlist_position": queries.waitlist_position(registration)
        if registration and registration.status == RegistrationStatus.WAITLISTED
        else None,
    }
    return render(request, "trainings/detail.html", context, status=status)


@require_safe
def training_detail(request, slug):
    return _detail(request, queries.training_for_viewer(request.user, slug))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def register(request, slug):
    # A POST that succeeds needs none of what the page shows: no prefetching for it.
    training = queries.training_for_viewer(request.user, slug, details=request.method != "POST")
    if request.method != "POST":
        return _detail(request, training)
    form = RegistrationForm(request.POST, training=training)
    if not form.is_valid():
        return _detail(request, training, form=form, status=400)
    try:
        registration = services.register(training, request.user, **form.cleaned_data)
    except services.RegistrationError as error:
        form.add_error(None, str(error))
        return _detail(request, training, form=form, status=400)
    if registration.status == RegistrationStatus.WAITLISTED:
        messages.info(request, _("The training is full: you are on the waitlist."))
    else:
        messages.success(request, _("You are registered."))
    return redirect("trainings:detail", slug=training.slug)


def _registration_action(template, service, done):
    """A page about one's own registration (GET shows it) with a button that POSTs `service`."""

    @login_required
    @require_http_methods(["GET", "HEAD", "POST"])
    def view(request, pk):
        registration = queries.own_registration(request, pk)
        if request.method == "POST":
            try:
                service(registration, by=request.user)
            except services.RegistrationError as error:
                messages.error(request, str(error))
                return render(
                    request, template, {"registration": registration, "refused": True}, status=409
                )
            messages.success(request, done)
            return redirect("trainings:detail", slug=registration.training.slug)
        return render(request, template, {"registration": registration})

    return view


cancel = _registration_action(
    "trainings/cancel.html", services.cancel_registration, _("Your registration is cancelled.")
)
claim = _registration_action(
    "trainings/claim.html", services.claim_offer, _("The seat is yours. See you there!")
)
decline = _registration_action(
    "trainings/decline.html",
    services.decline_offer,
    _("You declined the seat; it goes to the next person."),
)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def group_register(request, slug):
    training = queries.training_for_viewer(request.user, slug)
    form = GroupRegistrationForm(request.POST or None, organizer=request.user)
    context = {"training": training, "form": form}
    if request.method != "POST":
        return render(request, "trainings/group.html", context)
    if not form.is_valid():
        return render(request, "trainings/group.html", context, status=400)
    try:
        registrations = services.register_group(
            training,
            organizer=request.user,
            organization=form.cleaned_data["organization"],
            users=list(form.cleaned_data["members"]),
        )
    except services.RegistrationError as error:
        form.add_error(None, str(error))
        return render(request, "trainings/group.html", context, status=400)
    context["registrations"] = registrations
    return render(request, "trainings/group_done.html", context)


# --- Staff -----------------------------------------------------------------------------------


def _staff_training(slug) -> Training:
    return get_object_or_404(Training.objects.select_related("venue"), slug=slug)


CHECK_IN_ACTIONS = {"attended": services.mark_attended, "no_show": services.mark_no_show}


@login_required
@permission_required("trainings.change_registration", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def check_in(request, slug):
    """The door: one tap per person to check them in; walk-ins by email. Phone-width first."""
    training = _staff_training(slug)
    walk_in = WalkInForm(request.POST if request.POST.get("action") == "walk_in" else None)
    status = 200
    if request.method == "POST":
        status = _check_in_post(request, training, walk_in)
        if status == 302:
            return redirect("trainings:check_in", slug=training.slug)
    registrants = list(queries.registrants_of(training))
    context = {
        "training": training,
        "registrants": registrants,
        "walk_in": walk_in,
        "attended": sum(r.status == RegistrationStatus.ATTENDED for r in registrants),
        "now": timezone.now(),
    }
    return render(request, "trainings/check_in.html", context, status=status)


def _check_in_post(request, training, walk_in) -> int:
    action = request.POST.get("action", "")
    if action == "walk_in":
        if not walk_in.is_valid():
            return 400
        services.add_walk_in(training, walk_in.user, by=request.user)
        messages.success(request, _("%(name)s is checked in.") % {"name": walk_in.user})
        return 302
    service = CHECK_IN_ACTIONS.get(action)
    registration_id = request.POST.get("registration", "")
    registration = (
        training.registrations.select_related("user").filter(pk=registration_id).first()
        if registration_id.isdigit()
        else None
    )
    if service is None or registration is None:
        messages.error(request, _("That person is not registered for this training."))
        return 400
    try:
        service(registration, by=request.user)
    except services.RegistrationError as error:
        messages.error(request, str(error))
        return 409
    return 302


@login_required
@permission_required("trainings.view_registration", raise_exception=True)
@require_safe
def export_registrants(request, slug):
    training = _staff_training(slug)
    response = HttpResponse(
        registrants_csv(queries.registrants_of(training)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{training.slug}-registrants.csv"'
    return response


@login_required
@permission_required("trainings.view_registration", raise_exception=True)
@require_safe
def email_list(request, slug):
    training = _staff_training(slug)
    registrants = queries.registrants_of(training).filter(
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED]
    )
    addresses = ", ".join(sorted(r.user.email for r in registrants))
    context = {"training": training, "addresses": addresses, "count": len(registrants)}
    return render(request, "trainings/email_list.html", context)
