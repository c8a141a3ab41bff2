"""What volunteers and the public see: the fights that need help, a fight, a request, the feeds.

Every read goes through fights/queries.py, whose querysets decide visibility; a confidential
fight answers 404 exactly like one that does not exist. The feeds never depend on who asks:
they list only what anyone may see.
"""

from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from fights import feeds, queries
from fights.filters import RequestFilter
from fights.models import SupportRequest

PER_PAGE = 20


@require_safe
def request_list(request):
    filterset = RequestFilter(request.GET)
    counts = filterset.show_counts()
    requests = queries.with_details(filterset.qs)
    page = Paginator(requests, PER_PAGE).get_page(request.GET.get("page"))
    context = {"filterset": filterset, "form": filterset.form, "page": page, "counts": counts}
    # A bad filter is named at its field; the other filters still apply.
    status = 400 if filterset.form.errors else 200
    return render(request, "fights/public/list.html", context, status=status)


@require_safe
def fight_detail(request, slug):
    fight = queries.fight_for_viewer(request.user, slug)
    requests = list(queries.open_requests_of(fight, request.user))
    return render(request, "fights/public/fight.html", {"fight": fight, "requests": requests})


@require_safe
def request_detail(request, slug, pk):
    support_request = queries.request_for_viewer(request.user, slug, pk)
    context = {
        "support_request": support_request,
        "fight": support_request.fight,
        "is_listed": SupportRequest.objects.listed().filter(pk=support_request.pk).exists(),
    }
    return render(request, "fights/public/request.html", context)


def _feed_requests(request):
    """The listed requests the feed's filters pick, or the 400 answer for a bad filter."""
    filterset = RequestFilter(request.GET)
    if not filterset.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(errors)}" for name, errors in filterset.form.errors.items()
        )
        return None, HttpResponse(
            _("Bad filter: %(problems)s") % {"problems": problems},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return queries.with_details(filterset.qs)[: feeds.FEED_ITEMS], None


@require_safe
def feed_atom(request):
    requests, refusal = _feed_requests(request)
    if refusal:
        return refusal
    response = HttpResponse(
        feeds.atom(requests, query=request.GET), content_type=feeds.ATOM_CONTENT_TYPE
    )
    return feeds.embeddable(response)


@require_safe
def feed_json(request):
    requests, refusal = _feed_requests(request)
    if refusal:
        return refusal
    response = JsonResponse(
        feeds.json_feed(requests, query=request.GET),
        content_type=feeds.JSON_FEED_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
    return feeds.embeddable(response)
