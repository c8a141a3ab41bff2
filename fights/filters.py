"""The filters of "Fights that need help" (django-filter), and the counts shown beside each choice.

Counts are taken over the listed requests only (`SupportRequest.objects.listed()`), so a
confidential fight, a draft or an unverified organization never adds to a number anyone sees.
Each filter's counts apply every *other* chosen filter, so a number says how many results picking
that choice would give.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from donors.models import WorkMode
from donors.queries import language_choices
from fights import queries
from fights.models import FightKind, RequestLanguage, RequestSkill, SupportRequest, Urgency

WORK_MODE_CHOICES = [
    (WorkMode.REMOTE, _("Can be done remotely")),
    (WorkMode.IN_PERSON, _("In person")),
]


def validate_region(value):
    if not queries.is_region_code(value):
        raise ValidationError(_("Choose a region from the list."), code="invalid_choice")


class RequestFilter(django_filters.FilterSet):
    skill = django_filters.ChoiceFilter(
        label=_("Skill"), empty_label=_("Any skill"), method="filter_skill"
    )
    category = django_filters.ChoiceFilter(
        label=_("Kind of skill"), empty_label=_("Any kind of skill"), method="filter_category"
    )
    region = django_filters.CharFilter(
        label=_("Region"),
        field_name="place_region",
        widget=forms.Select,
        validators=[validate_region],
    )
    work_mode = django_filters.ChoiceFilter(
        label=_("Remote or in person"),
        empty_label=_("Either"),
        choices=WORK_MODE_CHOICES,
        method="filter_work_mode",
    )
    urgency = django_filters.ChoiceFilter(
        label=_("Urgency"),
        empty_label=_("Any urgency"),
        choices=Urgency.choices,
        method="filter_urgency",
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of fight"),
        empty_label=_("Any kind of fight"),
        choices=FightKind.choices,
        field_name="fight__kind",
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"),
        empty_label=_("Any language"),
        choices=language_choices,
        method="filter_language",
    )

    class Meta:
        model = SupportRequest
        fields = []

    def __init__(self, data=None, queryset=None, *, today=None, **kwargs):
        super().__init__(data, queryset if queryset is not None else queries.listed_requests())
        self.today = today or timezone.localdate()
        self.skills = queries.filterable_skills()
        self.skill_by_slug = {skill.slug: skill for skill in self.skills}
        self.category_by_slug = {skill.category.slug: skill.category for skill in self.skills}
        self.filters["skill"].extra["choices"] = [(s.slug, s.name) for s in self.skills]
        self.filters["category"].extra["choices"] = [
            (slug, category.name) for slug, category in self.category_by_slug.items()
        ]

    # --- the filters ------------------------------------------------------------------------

    def filter_skill(self, requests, name, value):
        return queries.needing_skill(requests, [self.skill_by_slug[value].pk])

    def filter_category(self, requests, name, value):
        category = self.category_by_slug[value]
        return requests.filter(
            pk__in=RequestSkill.objects.filter(skill__category=category).values("request_id")
        )

    def filter_work_mode(self, requests, name, value):
        return queries.workable(requests, value)

    def filter_urgency(self, requests, name, value):
        return requests.with_urgency(value, self.today)

    def filter_language(self, requests, name, value):
        return queries.in_language(requests, value)

    # --- counts beside each choice ----------------------------------------------------------

    def filtered_except(self, skipped):
        """The listed requests with every valid chosen filter applied but `skipped`."""
        requests = self.queryset.order_by()
        for name, value in self.form.cleaned_data.items():
            if name != skipped:
                requests = self.filters[name].filter(requests, value)
        return requests

    def counts(self) -> dict[str, dict[str, int]]:
        """{filter name: {choice value: number of results}}, one query per filter."""
        self.is_valid()  # cleaned_data holds the valid filters even when another one is bad
        return {
            name: getattr(self, f"_count_{name}")(self.filtered_except(name))
            for name in self.filters
        }

    def _count_skill(self, requests):
        slugs = {skill.pk: skill.slug for skill in self.skills}
        return _by(slugs, _per_skill(requests, "skill_id"))

    def _count_category(self, requests):
        slugs = {skill.category.pk: skill.category.slug for skill in self.skills}
        return _by(slugs, _per_skill(requests, "skill__category_id"))

    def _count_region(self, requests):
        return _grouped(requests.values_list("place_region"))

    def _count_work_mode(self, requests):
        return _banded(requests, {mode: queries.workable for mode, _ in WORK_MODE_CHOICES})

    def _count_urgency(self, requests):
        def band(rows, urgency):
            return rows.with_urgency(urgency, self.today)

        return _banded(requests, dict.fromkeys(Urgency.values, band))

    def _count_kind(self, requests):
        return _grouped(requests.values_list("fight__kind"))

    def _count_language(self, requests):
        languages = RequestLanguage.objects.filter(request__in=requests.values("pk"))
        return _grouped(languages.values_list("code"))

    def show_counts(self) -> dict[str, dict[str, int]]:
        """Put the counts into the choices' labels; drop empty choices from the long lists."""
        counts = self.counts()
        form = self.form
        chosen = {name: form.data.get(name, "") for name in self.filters}
        skill_groups = {}
        for skill in self.skills:
            number = counts["skill"].get(skill.slug, 0)
            if number or chosen["skill"] == skill.slug:
                skill_groups.setdefault(skill.category.name, []).append(
                    (skill.slug, _counted(skill.name, number))
                )
        form.fields["skill"].widget.choices = [("", _("Any skill")), *skill_groups.items()]
        self._show(form, "category", counts, self.filters["category"].extra["choices"], chosen)
        regions = sorted(counts["region"], key=queries.region_name)
        region_choices = [(code, queries.region_name(code)) for code in regions if code]
        self._show(form, "region", counts, region_choices, chosen, empty=_("Anywhere"))
        self._show(form, "language", counts, language_choices(), chosen)
        for name in ("work_mode", "urgency", "kind"):
            self._show(form, name, counts, self.filters[name].extra["choices"], chosen, keep=True)
        return counts

    def _show(self, form, name, counts, choices, chosen, *, keep=False, empty=None):
        empty = empty or self.filters[name].extra.get("empty_label")
        shown = [
            (value, _counted(label, counts[name].get(value, 0)))
            for value, label in choices
            if keep or counts[name].get(value) or chosen[name] == value
        ]
        form.fields[name].widget.choices = [("", empty), *shown]


def _counted(label, number) -> str:
    return f"{label} ({number})"


def _grouped(values_list) -> dict[str, int]:
    return dict(values_list.annotate(number=Count("*")).order_by())


def _per_skill(requests, column):
    rows = RequestSkill.objects.filter(request__in=requests.values("pk")).values_list(column)
    return rows.annotate(number=Count("request_id", distinct=True)).order_by()


def _by(names, rows) -> dict[str, int]:
    return {names[key]: number for key, number in rows if key in names}


def _banded(requests, bands) -> dict[str, int]:
    """One query: how many requests fall in each band, each band defined by its queryset."""
    every = SupportRequest.objects.all()
    return requests.aggregate(
        **{
            str(value): Count("pk", filter=Q(pk__in=narrow(every, value).values("pk")))
            for value, narrow in bands.items()
        }
    )
