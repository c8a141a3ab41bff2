"""Pages for cohort applications, ideas for sessions and the directory (trainings/programs.py).

Applying: a program that is not a published cohort program answers 404 (like an id that does not
exist); after the deadline, or a second time, the form comes back with everything typed and the
reason, status 400. The directory answers 403 to anyone signed in who is neither staff nor a
member of a verified organization: that it exists is no secret, whom it lists is.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from trainings import programs
from trainings.models import Application, ApplicationStatus
from trainings.program_forms import (
    ApplicationForm,
    DirectoryEntryForm,
    DirectoryFilterForm,
    SessionIdeaForm,
)

TEMPLATES = "trainings/programs/"
DIRECTORY_PER_PAGE = 30


def _program(slug):
    training = programs.program_for_applicant(slug)
    if training is None:
        raise Http404("No cohort program here.")
    return training


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def apply(request, slug):
    training = _program(slug)
    existing = programs.application_of(request.user, training)
    form = ApplicationForm(request.POST or None)
    context = {
        "training": training,
        "form": form,
        "existing": existing,
        "is_open": programs.accepts_applications(training),
        "deadline": programs.application_deadline(training),
    }
    if request.method != "POST":
        return render(request, TEMPLATES + "apply.html", context)
    if not form.is_valid():
        return render(request, TEMPLATES + "apply.html", context, status=400)
    try:
        programs.apply(training, request.user, **form.cleaned_data)
    except programs.ProgramError as error:
        form.add_error(None, str(error))
        return render(request, TEMPLATES + "apply.html", context, status=400)
    messages.success(request, _("Your application is in. We will write to you with a decision."))
    return redirect("trainings:my_applications")


@login_required
@require_safe
def my_applications(request):
    applications = (
        Application.objects.filter(user=request.user)
        .select_related("training")
        .order_by("-created_at", "pk")
    )
    return render(request, TEMPLATES + "my_applications.html", {"applications": applications})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def confirm_place(request, pk):
    application = get_object_or_404(
        Application.objects.select_related("training"), pk=pk, user=request.user
    )
    context = {"application": application}
    if request.method == "POST":
        try:
            programs.confirm_place(application)
        except programs.ProgramError as error:
            application.refresh_from_db()
            context.update(refused=True, error=str(error))
            return render(request, TEMPLATES + "confirm.html", context, status=409)
        messages.success(request, _("Your place in the cohort is confirmed. Welcome!"))
        return redirect("trainings:my_applications")
    context["can_confirm"] = application.status == ApplicationStatus.ACCEPTED
    return render(request, TEMPLATES + "confirm.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def propose_idea(request):
    form = SessionIdeaForm(request.POST or None)
    if request.method != "POST":
        return render(request, TEMPLATES + "idea.html", {"form": form})
    if not form.is_valid():
        return render(request, TEMPLATES + "idea.html", {"form": form}, status=400)
    programs.propose_idea(user=request.user, **form.cleaned_data)
    messages.success(request, _("Thank you: staff read every idea when they plan trainings."))
    return redirect("trainings:propose_idea")


def _directory_reader(request):
    if not programs.can_see_directory(request.user):
        raise PermissionDenied(
            _("The directory is for staff and members of verified organizations.")
        )


@login_required
@require_safe
def directory(request):
    _directory_reader(request)
    form = DirectoryFilterForm(
        request.GET or None,
        regions=programs.directory_regions(),
        skills=programs.directory_skills(),
    )
    status, entries = 200, programs.directory().none()
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        entries = programs.directory(region=data.get("region", ""), skill=data.get("skill"))
    page = Paginator(entries, DIRECTORY_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "entries": page.object_list}
    return render(request, TEMPLATES + "directory.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def directory_entry(request):
    """A person's own choice to be listed, and to leave."""
    entry = programs.directory_entry_of(request.user)
    leaving = request.POST.get("action") == "leave"
    form = DirectoryEntryForm(
        None if leaving else (request.POST or None),
        instance=entry,
        initial={"consent": entry is not None},
    )
    context = {
        "entry": entry,
        "form": form,
        "trained": programs.trained_skills_of(request.user),
        "now": timezone.now(),
    }
    if request.method != "POST":
        return render(request, TEMPLATES + "directory_entry.html", context)
    if leaving:
        programs.opt_out(request.user)
        messages.success(request, _("You are no longer in the directory."))
        return redirect("trainings:directory_entry")
    if not form.is_valid():
        return render(request, TEMPLATES + "directory_entry.html", context, status=400)
    programs.opt_in(request.user, headline=form.cleaned_data["headline"])
    messages.success(request, _("You are in the directory."))
    return redirect("trainings:directory_entry")
