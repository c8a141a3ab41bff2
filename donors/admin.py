"""Staff tools: curate the skills taxonomy and find volunteers.

Skills are retired, never deleted: profiles keep a retired skill (read-only) and history stays
whole. Donor profiles are created by volunteers themselves, so the admin only finds and
corrects them.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.forms.models import BaseInlineFormSet
from django_countries.filters import CountryFilter

from config.admin import CheckedChangeList, CheckedLookupsMixin
from donors.fields import LanguageCodeField, clean_conflict_name
from donors.forms import DonorAdminForm
from donors.models import (
    Conflict,
    Donor,
    DonorLanguage,
    DonorSkill,
    Level,
    Skill,
    SkillCategory,
    normalize_name,
)
from donors.services import vet_donor


def grouped_skill_choices(*, blank_label, value="slug"):
    """Every skill in one query, grouped by category; retired ones last, marked."""
    groups, retired = {}, []
    for skill in Skill.objects.select_related("category"):
        key = getattr(skill, value)
        if skill.retired:
            retired.append((key, f"{skill.name} (retired)"))
        else:
            groups.setdefault(skill.category.name, []).append((key, skill.name))
    choices = [("", blank_label), *groups.items()]
    if retired:
        choices.append(("Retired", retired))
    return choices


class SkillLevelFilterForm(forms.Form):
    skill = forms.ChoiceField(error_messages={"required": "Choose a skill to filter by."})
    min_level = forms.TypedChoiceField(
        label="At least",
        choices=[(level.value, f"{level.value}: {level.label}") for level in Level],
        coerce=int,
        required=False,
        empty_value=Level.CAN_DO,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="skill-filter-%s", **kwargs)
        self.fields["skill"].choices = grouped_skill_choices(blank_label="Choose a skill")


class SkillLevelFilter(admin.ListFilter):
    """ "Has skill X at level ≥ N" as one filter: `?skill=<slug>&min_level=<1-3>`.

    Skill and level must match on the *same* DonorSkill row, so it cannot be two independent
    filters. A plain GET form (two selects and a button) keeps it usable without JavaScript.
    """

    title = "skill at a minimum level"
    template = "donors/admin/skill_level_filter.html"
    parameters = ("skill", "min_level")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        for name in self.parameters:
            if name in params:
                self.used_parameters[name] = params.pop(name)[-1]
        self.form = SkillLevelFilterForm(self.used_parameters or None)

    def has_output(self):
        return True

    def expected_parameters(self):
        return list(self.parameters)

    def queryset(self, request, queryset):
        if not self.used_parameters:
            return queryset
        if not self.form.is_valid():
            return queryset.none()  # the form shows why, next to the field
        # One filter() call: skill and level constrain the same joined row.
        return queryset.filter(
            donor_skills__skill__slug=self.form.cleaned_data["skill"],
            donor_skills__level__gte=self.form.cleaned_data["min_level"],
        )

    def choices(self, changelist):
        yield {
            "selected": not self.used_parameters,
            "query_string": changelist.get_query_string(remove=self.parameters),
            "display": "Any skill",
            # The form must carry the search, the other filters and the ordering along.
            "keep": [
                (name, value)
                for name, values in changelist.filter_params.items()
                if name not in self.parameters
                for value in values
            ],
        }


class RegionFilter(admin.SimpleListFilter):
    title = "region"
    parameter_name = "region"

    def lookups(self, request, model_admin):
        codes = Donor.objects.exclude(region="").order_by("region").values_list("region", flat=True)
        return [(code, f"{Donor(region=code).region_name} ({code})") for code in codes.distinct()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(region=self.value())
        return queryset


class LanguageFilter(admin.SimpleListFilter):
    title = "language"
    parameter_name = "language"

    def lookups(self, request, model_admin):
        codes = DonorLanguage.objects.order_by("code").values_list("code", flat=True)
        return [(code, f"{DonorLanguage(code=code).name} ({code})") for code in codes.distinct()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(languages__code=self.value())
        return queryset


class PausedFilter(admin.SimpleListFilter):
    title = "paused"
    parameter_name = "paused"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.paused()
        if self.value() == "no":
            return queryset.active()
        return queryset


class DonorSkillInline(admin.TabularInline):
    model = DonorSkill
    fields = ("skill", "level")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("skill")  # each row's title

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "skill":
            # Static, grouped choices: one query for the whole formset instead of one per row.
            field.choices = grouped_skill_choices(blank_label="---------", value="pk")
            # Editing the taxonomy belongs on the skill pages, not in a donor's row.
            widget = field.widget
            widget.can_add_related = widget.can_change_related = widget.can_view_related = False
        return field


class DonorLanguageForm(forms.ModelForm):
    code = LanguageCodeField(max_length=3)

    class Meta:
        model = DonorLanguage
        fields = ("code",)


class DonorLanguageInline(admin.TabularInline):
    model = DonorLanguage
    form = DonorLanguageForm
    fields = ("code",)
    extra = 0


class ConflictForm(forms.ModelForm):
    class Meta:
        model = Conflict
        fields = ("name",)

    def clean_name(self):
        name = clean_conflict_name(self.cleaned_data["name"])
        if not normalize_name(name):
            raise ValidationError("Enter the employer's name.")
        normalized = normalize_name(name)
        # normalized_name is not a form field, so model validation would skip the per-donor
        # unique constraint and the database would refuse the row with an error page.
        taken = Conflict.objects.filter(
            donor_id=self.instance.donor_id, normalized_name=normalized
        ).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError("This volunteer already lists that employer.")
        self.instance.normalized_name = normalized
        return name


class ConflictFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if "name" not in getattr(form, "cleaned_data", {}) or self._should_delete_form(form):
                continue
            normalized = form.instance.normalized_name
            if normalized in seen:
                form.add_error("name", "Another row names the same employer.")
            seen.add(normalized)


class ConflictInline(admin.TabularInline):
    model = Conflict
    form = ConflictForm
    formset = ConflictFormSet
    fields = ("name", "normalized_name")
    readonly_fields = ("normalized_name",)
    extra = 0


class DonorChangeList(CheckedChangeList):
    """The list's skills and languages columns read one prefetch each, never a query per row."""

    def get_queryset(self, request, exclude_parameters=None):
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .prefetch_related(
                Prefetch("donor_skills", queryset=DonorSkill.objects.select_related("skill")),
                "languages",
            )
        )


@admin.register(Donor)
class DonorAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    form = DonorAdminForm
    list_display = (
        "display_name",
        "email",
        "place",
        "on_call",
        "paused",
        "skills_summary",
        "languages_summary",
    )
    list_select_related = ("user",)
    list_filter = (
        SkillLevelFilter,
        ("country", CountryFilter),
        RegionFilter,
        LanguageFilter,
        "on_call",
        PausedFilter,
    )
    search_fields = (
        "user__display_name",
        "user__email",
        "donor_skills__skill__name",
        "donor_skills__skill__synonyms",
    )
    search_help_text = "Name, email, or skill (its name or another word for it, e.g. “canva”)."
    inlines = (DonorSkillInline, DonorLanguageInline, ConflictInline)
    readonly_fields = (
        "user",
        "contact_consent",
        "created_at",
        "updated_at",
        "vetted_at",
        "vetted_by",
    )
    actions = ("vet",)
    fieldsets = (
        (None, {"fields": ("user", "pronouns")}),
        ("Where", {"fields": ("country", "region", "city", "work_mode")}),
        (
            "Availability",
            {
                "fields": (
                    "weekly_hours",
                    "capacity",
                    ("available_from", "available_until"),
                    "on_call",
                    "paused_until",
                )
            },
        ),
        # Consent is the volunteer's to give; staff can see it but not change it.
        ("About", {"fields": ("bio", "links", "contact_consent", "created_at", "updated_at")}),
        # Only vetted volunteers are ever asked to help a confidential fight.
        ("Vetting", {"fields": ("vetted_at", "vetted_by")}),
    )

    @admin.action(description="Vet for confidential fights", permissions=["change"])
    def vet(self, request, queryset):
        vetted = sum(vet_donor(donor, by=request.user) for donor in queryset)
        self.message_user(
            request,
            f"{vetted} volunteer(s) vetted; {queryset.count() - vetted} already were.",
            messages.SUCCESS,
        )

    def get_changelist(self, request, **kwargs):
        return DonorChangeList

    class Media:
        css = {"all": ["css/admin.css"]}

    def has_add_permission(self, request):
        return False  # volunteers create their own profile after signing up

    @admin.display(description="name", ordering="user__display_name")
    def display_name(self, donor):
        return donor.user.display_name or "—"

    @admin.display(description="email", ordering="user__email")
    def email(self, donor):
        return donor.user.email

    @admin.display(description="place", ordering="region")
    def place(self, donor):
        return ", ".join(part for part in (donor.city, donor.region or donor.country.code) if part)

    @admin.display(description="paused", boolean=True)
    def paused(self, donor):
        return donor.is_paused

    @admin.display(description="skills (level)")
    def skills_summary(self, donor):
        return ", ".join(f"{ds.skill.name} ({ds.level})" for ds in donor.donor_skills.all())

    @admin.display(description="languages")
    def languages_summary(self, donor):
        return ", ".join(language.code for language in donor.languages.all())


@admin.register(Skill)
class SkillAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ("name", "category", "slug", "retired", "donor_count", "position")
    list_select_related = ("category",)
    list_filter = ("category", "retired")
    search_fields = ("name", "synonyms", "slug")
    search_help_text = "Name, slug, or another word people use for it."
    ordering = ("category__position", "position", "name")
    fields = ("category", "name", "slug", "description", "synonyms", "position", "retired")
    prepopulated_fields = {"slug": ("name",)}
    actions = ("retire_skills", "restore_skills")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(donor_count=Count("donor_skills"))

    def has_delete_permission(self, request, obj=None):
        return False  # retire instead: profiles may still list the skill

    @admin.display(description="donors", ordering="donor_count")
    def donor_count(self, skill):
        return skill.donor_count

    @admin.action(description="Retire selected skills", permissions=["change"])
    def retire_skills(self, request, queryset):
        count = Skill.objects.filter(pk__in=queryset.values("pk")).update(retired=True)
        self.message_user(
            request,
            f"Retired {count} skill(s): hidden from the picker, kept on existing profiles.",
            messages.SUCCESS,
        )

    @admin.action(description="Restore selected skills", permissions=["change"])
    def restore_skills(self, request, queryset):
        count = Skill.objects.filter(pk__in=queryset.values("pk")).update(retired=False)
        self.message_user(request, f"Restored {count} skill(s) to the picker.", messages.SUCCESS)


@admin.register(SkillCategory)
class SkillCategoryAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "position", "skill_count")
    search_fields = ("name",)
    ordering = ("position", "name")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(skill_count=Count("skills"))

    @admin.display(description="skills", ordering="skill_count")
    def skill_count(self, category):
        return category.skill_count
