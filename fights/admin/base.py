"""What every fights admin shares: for_staff() scoping, 404 for hidden ids, the text rules."""

from django.contrib import admin
from django.core.exceptions import BadRequest
from django.db import models
from django.http import Http404

from donors.admin import grouped_skill_choices
from fights import fields
from fights.models import Fight, Organization, SupportRequest

SCOPED_MODELS = (Organization, Fight, SupportRequest)


class TextRulesMixin:
    """Every text field refuses control characters; every link to a scoped model offers (and
    accepts) only the rows this staff member may see."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        text = isinstance(db_field, models.CharField | models.TextField)
        if text and formfield is not None and not getattr(formfield, "choices", None):
            formfield.validators += fields.text_validators_for(formfield)
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model in SCOPED_MODELS:
            kwargs["queryset"] = db_field.related_model.objects.for_staff(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class NulSafeChangelistMixin:
    """PostgreSQL refuses NUL in a string parameter, so a filter value holding one would fail
    the list with a 500: answer 400 instead."""

    def changelist_view(self, request, extra_context=None):
        if any("\x00" in value for values in request.GET.lists() for value in values[1]):
            raise BadRequest("The address holds a NUL character.")
        return super().changelist_view(request, extra_context)


class ScopedAdmin(NulSafeChangelistMixin, TextRulesMixin, admin.ModelAdmin):
    """A model admin whose rows are `Model.objects.for_staff(user)`."""

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        scoped = self.model.objects.for_staff(request.user)
        return super().get_queryset(request).filter(pk__in=scoped.values("pk"))

    def get_object(self, request, object_id, from_field=None):
        found = super().get_object(request, object_id, from_field)
        if found is None:  # missing and hidden look the same
            raise Http404(f"No {self.opts.verbose_name} with this id.")
        return found


class ScopedCountryFilter(admin.SimpleListFilter):
    """Countries of the rows this staff member may see (django-countries' filter reads all)."""

    title = "country"
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = (
            model_admin.get_queryset(request)
            .order_by("country")
            .values_list("country", flat=True)
            .distinct()
        )
        names = dict(Organization._meta.get_field("country").get_choices(include_blank=False))
        return [(code, names.get(code, code)) for code in codes if code]

    def queryset(self, request, queryset):
        return queryset.filter(country=self.value()) if self.value() else queryset


def skills_summary(rows) -> str:
    """ "Flyers (2), Photography (1, nice to have)" from prefetched skill rows."""
    return ", ".join(
        f"{row.skill.name} ({row.min_level}{'' if row.required else ', nice to have'})"
        for row in rows
    )


class SkillRowsInlineMixin:
    """Skill rows (request or template skills): the skill select gets static grouped choices,
    one query for the whole formset rather than one per row."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "skill":
            field.choices = grouped_skill_choices(blank_label="---------", value="pk")
            field.error_messages["invalid_choice"] = "Choose a skill from the list."
            # Editing the taxonomy belongs on the skill pages, not in a request's row.
            widget = field.widget
            widget.can_add_related = widget.can_change_related = widget.can_view_related = False
        return field
