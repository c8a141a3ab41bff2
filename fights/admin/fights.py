"""Fights and the support requests inside them: staff correct what organizers typed."""

from django.contrib import admin
from django.db.models import Count, Prefetch

from fights.admin import forms
from fights.admin.base import (
    ScopedAdmin,
    ScopedCountryFilter,
    SkillRowsInlineMixin,
    TextRulesMixin,
    skills_summary,
)
from fights.models import Fight, RequestLanguage, RequestSkill, SupportRequest, Urgency


@admin.register(Fight)
class FightAdmin(ScopedAdmin):
    form = forms.FightAdminForm
    list_display = (
        "title",
        "organization",
        "kind",
        "visibility",
        "status",
        "place",
        "key_date",
        "request_count",
    )
    list_select_related = ("organization",)
    list_filter = (
        ("organization", admin.RelatedOnlyFieldListFilter),
        "kind",
        "visibility",
        "status",
        ScopedCountryFilter,
    )
    search_fields = ("title", "target_employer", "organization__name", "sector", "city")
    search_help_text = "Title, employer or target, organization, sector or city."
    ordering = ("-created_at", "-pk")  # explicit: the requests count groups rows
    readonly_fields = (
        "organization",
        "slug",
        "visibility",
        "status",
        "outcome",
        "status_changed_at",
        "status_changed_by",
        "target_employer_normalized",
        "created_by",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("organization", "title", "slug", "kind", "summary")}),
        (
            "Target",
            {"fields": ("target_employer", "target_employer_normalized", "sector")},
        ),
        ("Where and when", {"fields": ("country", "region", "city", "key_date")}),
        (
            "Set by the organizers",
            {
                "fields": (
                    "visibility",
                    "status",
                    "outcome",
                    "status_changed_at",
                    "status_changed_by",
                    "created_by",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(request_count=Count("requests"))

    def has_add_permission(self, request):
        return False  # organizers create fights inside their organization

    @admin.display(description="requests", ordering="request_count")
    def request_count(self, fight):
        return fight.request_count

    @admin.display(description="place", ordering="region")
    def place(self, fight):
        return ", ".join(part for part in (fight.city, fight.region or fight.country.code) if part)


class UrgencyFilter(admin.SimpleListFilter):
    title = "urgency"
    parameter_name = "urgency"

    def lookups(self, request, model_admin):
        return Urgency.choices

    def queryset(self, request, queryset):
        if self.value() in Urgency.values:
            return queryset.with_urgency(self.value())
        return queryset


class RequestSkillInline(SkillRowsInlineMixin, TextRulesMixin, admin.TabularInline):
    model = RequestSkill
    form = forms.RequestSkillForm
    formset = forms.RequestSkillFormSet
    fields = ("skill", "required", "min_level")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("skill")


class RequestLanguageInline(admin.TabularInline):
    model = RequestLanguage
    form = forms.RequestLanguageForm
    fields = ("code",)
    extra = 0


@admin.register(SupportRequest)
class SupportRequestAdmin(ScopedAdmin):
    form = forms.SupportRequestAdminForm
    list_display = (
        "title",
        "fight",
        "organization",
        "status",
        "urgency_label",
        "needed_by",
        "hours_estimate",
        "helpers_needed",
        "skills_summary",
        "languages_summary",
    )
    list_select_related = ("fight__organization",)
    list_filter = (
        "status",
        UrgencyFilter,
        "work_mode",
        ("fight__organization", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = (
        "title",
        "fight__title",
        "fight__organization__name",
        "request_skills__skill__name",
    )
    search_help_text = "Title, fight, organization or skill."
    inlines = (RequestSkillInline, RequestLanguageInline)
    readonly_fields = (
        "status",
        "opened_at",
        "status_changed_at",
        "status_changed_by",
        "created_by",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("fight", "title", "description")}),
        (
            "The work",
            {
                "fields": (
                    ("needed_by", "starts_on"),
                    "hours_estimate",
                    "helpers_needed",
                    "work_mode",
                )
            },
        ),
        ("Where", {"fields": ("country", "region", "city")}),
        (
            "Set by the organizers",
            {"fields": readonly_fields},
        ),
    )

    def get_queryset(self, request):
        skills = RequestSkill.objects.select_related("skill")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("request_skills", queryset=skills), "languages")
        )

    def has_add_permission(self, request):
        return False  # organizers post requests inside their fights

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and "fight" in form.base_fields:
            # A misplaced request may move to another fight of its own organization only.
            fight = form.base_fields["fight"]
            fight.queryset = fight.queryset.filter(organization_id=obj.fight.organization_id)
        return form

    @admin.display(description="organization", ordering="fight__organization__name")
    def organization(self, support_request):
        return support_request.fight.organization

    @admin.display(description="urgency", ordering="needed_by")
    def urgency_label(self, support_request):
        return Urgency(support_request.urgency).label.split(":")[0]

    @admin.display(description="skills (min. level)")
    def skills_summary(self, support_request):
        return skills_summary(support_request.request_skills.all())

    @admin.display(description="languages")
    def languages_summary(self, support_request):
        return ", ".join(language.code for language in support_request.languages.all())
