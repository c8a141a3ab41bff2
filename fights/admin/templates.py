"""The guided path's request templates, which staff edit."""

from django.contrib import admin
from django.db.models import Prefetch

from config.admin import CheckedLookupsMixin
from fights.admin import forms
from fights.admin.base import (
    SkillRowsInlineMixin,
    TextRulesMixin,
    skills_summary,
)
from fights.models import RequestTemplate, RequestTemplateSkill


class TemplateSkillInline(SkillRowsInlineMixin, TextRulesMixin, admin.TabularInline):
    model = RequestTemplateSkill
    form = forms.TemplateSkillForm
    fields = ("skill", "required", "min_level")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("skill")


@admin.register(RequestTemplate)
class RequestTemplateAdmin(CheckedLookupsMixin, TextRulesMixin, admin.ModelAdmin):
    """The guided path's plain-language needs. Retire one by unticking "active"."""

    form = forms.RequestTemplateAdminForm
    list_display = ("need", "request_title", "hours_estimate", "helpers_needed", "skills_summary")
    list_display_links = ("need",)
    list_filter = ("active", "work_mode")
    search_fields = ("need", "request_title")
    ordering = ("position", "need")
    prepopulated_fields = {"slug": ("need",)}
    inlines = (TemplateSkillInline,)  # its fields are the form's

    def get_queryset(self, request):
        skills = RequestTemplateSkill.objects.select_related("skill")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("template_skills", queryset=skills))
        )

    @admin.display(description="skills (min. level)")
    def skills_summary(self, template):
        return skills_summary(template.template_skills.all())
