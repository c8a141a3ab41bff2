"""Template tags for pages outside matching/ that show a match's outcome.

The organizer dashboard (a fights/ template) lists each request's accepted helpers. fights/
must not import matching/, so the dashboard loads this library by name instead: one query for
all the organizations on the page, and the rule of what organizers may see of a helper stays
in matching.queries.
"""

from django import template

from matching import queries

register = template.Library()


@register.simple_tag
def accepted_helpers(organizations):
    """{request id: [helper, …]} for every request of these organizations (one query)."""
    return queries.accepted_helpers_by_request(organizations)


@register.filter
def helpers_for(helpers_by_request, support_request):
    return helpers_by_request.get(support_request.pk, [])
