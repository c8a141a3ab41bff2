"""The filters of the public list of trainings (django-filter); all work without JavaScript."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from fights.queries import region_name
from trainings.models import Kind, Training, TrainingSkill, Venue

MODE_CHOICES = [("online", _("Online")), ("in_person", _("In person"))]


class TrainingFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), empty_label=_("Any kind"), choices=Kind.choices
    )
    skill = django_filters.ChoiceFilter(
        label=_("Skill taught"), empty_label=_("Any skill"), method="filter_skill"
    )
    mode = django_filters.ChoiceFilter(
        label=_("Online or in person"),
        empty_label=_("Either"),
        choices=MODE_CHOICES,
        method="filter_mode",
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"), empty_label=_("Anywhere"), field_name="venue__region"
    )
    starts_after = django_filters.DateFilter(
        label=_("From"),
        field_name="starts_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    starts_before = django_filters.DateFilter(
        label=_("Until"),
        field_name="starts_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Training
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        listed = Training.objects.listed()
        skills = (
            TrainingSkill.objects.filter(training__in=listed)
            .values_list("skill__slug", "skill__name")
            .distinct()
            .order_by("skill__name")
        )
        self.filters["skill"].extra["choices"] = list(skills)
        regions = (
            Venue.objects.filter(trainings__in=listed)
            .exclude(region="")
            .values_list("region", flat=True)
            .distinct()
        )
        self.filters["region"].extra["choices"] = sorted(
            ((code, region_name(code)) for code in regions), key=lambda choice: choice[1]
        )

    def filter_skill(self, trainings, name, value):
        return trainings.filter(taught__skill__slug=value).distinct()

    def filter_mode(self, trainings, name, value):
        return trainings.filter(venue__isnull=value == "online")
