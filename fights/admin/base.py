"""What every fights admin shares: for_staff() scoping, 404 for hidden ids, the text rules."""

from django.contrib import admin
from django.http import Http404

from config.admin import CheckedLookupsMixin
from donors.admin import grouped_skill_choices
from fights import fields
from fights.models import Fight, Organization, SupportRequest

SCOPED_MODELS = (Organization, Fight, SupportRequest)


class TextRulesMixin:
    """Every plain text field drops invisible characters as the site's forms do; every link to a
    scoped model offers (and accepts) only the rows this staff member may see."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Exact types only: URL, email and slug fields keep their own form fields.
        form_class = fields.TEXT_FORM_FIELDS.get(type(db_field))
        if form_class and not db_field.choices:
            kwargs.setdefault("form_class", form_class)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model in SCOPED_MODELS:
            kwargs["queryset"] = db_field.related_model.objects.for_staff(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedAdmin(CheckedLookupsMixin, TextRulesMixin, admin.ModelAdmin):
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
