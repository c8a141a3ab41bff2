"""Our admin site, and what every admin list page of ours shares: its query string is checked
before it is used.

Django applies list filters and lookups from the query string as they come. PostgreSQL refuses a
string with a NUL character (no stored value can hold one); date lookups (`created_at__year=`)
and the date drill-down compute with Python dates, which stop at the year 9999 and overflow on
a 20-digit number; each failed as a 500. Such a query string is a bad request: the changelist
answers 400 with the site's error page.
"""

from datetime import date

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import BadRequest
from django.utils.functional import SimpleLazyObject

from accounts.queries import load_permissions

DATE_PARTS = {"year": (date.min.year, date.max.year - 1), "month": (1, 12), "day": (1, 31)}
# Lookups that turn a date into a number; a value beyond any date's overflows Python's datetime.
DATE_TRANSFORMS = {"year", "iso_year", "quarter", "month", "week", "day", "week_day"}
DATE_TRANSFORMS |= {"iso_week_day", "hour", "minute", "second"}


class CheckedChangeList(ChangeList):
    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        for name, values in lookup_params.items():
            if any("\x00" in value for value in values):
                raise BadRequest(f"The list filter {name!r} contains a NUL character.")
            if name.rpartition("__")[2] in DATE_TRANSFORMS:
                check_date_number(name, values)
        if self.date_hierarchy:
            check_date_drilldown(self.date_hierarchy, lookup_params)
        return lookup_params

    def get_queryset(self, request, exclude_parameters=None):
        if "\x00" in self.query:
            raise BadRequest("The search contains a NUL character.")
        return super().get_queryset(request, exclude_parameters)


def check_date_number(name: str, values: list[str]) -> None:
    for value in values:
        try:
            number = int(value)
        except ValueError:
            raise BadRequest(f"The list filter {name!r} must be a number.") from None
        if not 0 <= number <= date.max.year:
            raise BadRequest(f"The list filter {name!r} must be from 0 to {date.max.year}.")


def check_date_drilldown(field: str, params: dict) -> None:
    """Year, month and day of the drill-down are numbers whose period ends within Python's dates:
    the year below 9999, since the period of a year or of its December ends in the next one."""
    chosen = {}
    for part, (low, high) in DATE_PARTS.items():
        values = params.get(f"{field}__{part}")
        if not values:
            continue
        try:
            chosen[part] = int(values[-1])
        except ValueError:
            raise BadRequest(f"The {part} to show must be a number.") from None
        if not low <= chosen[part] <= high:
            raise BadRequest(f"The {part} to show must be from {low} to {high}.")
    if "year" in chosen:
        try:
            date(chosen["year"], chosen.get("month", 1), chosen.get("day", 1))
        except ValueError:
            raise BadRequest("There is no such date to show.") from None


class CheckedLookupsMixin:
    """For a ModelAdmin: its changelist is a CheckedChangeList (or a subclass of one)."""

    def get_changelist(self, request, **kwargs):
        return CheckedChangeList


class AdminSite(admin.AdminSite):
    """Django's admin site (`admin.site`: config.apps.AdminConfig), whose list of apps and
    models is built when a page shows it. Every page's context carried it for the navigation
    sidebar, and pages without one (the donor list) spent a tenth of their time checking four
    permissions for each registered model. A staff member's permissions are read in one
    query, not ModelBackend's two (accounts.queries.load_permissions)."""

    def has_permission(self, request):
        allowed = super().has_permission(request)
        if allowed:
            load_permissions(request.user)
        return allowed

    def get_app_list(self, request, app_label=None):
        parent = super().get_app_list
        return SimpleLazyObject(lambda: parent(request, app_label))
