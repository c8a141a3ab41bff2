"""Staff tools: curate the skills taxonomy and find volunteers.

Skills are retired, never deleted: profiles keep a retired skill (read-only) and history stays
whole. Donor profiles are created by volunteers themselves, so the admin only finds and
corrects them.
"""

import json
from functools import cache, cached_property
from html import escape

import pycountry
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import InvalidPage
from django.db import connection
from django.db.models import BooleanField, Count, IntegerField, Value
from django.db.models.expressions import RawSQL
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django_countries import countries
from django_countries.filters import CountryFilter

from config import onequery
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
from donors.queries import grouped_donor_skills
from donors.services import vet_donor

# The donor page is read-only first; `?edit=1` opens the form, for staff who may change donors.
EDIT_PARAM = "edit"
# Short level names for the list, where the full labels would not fit beside the skill.
LEVEL_SHORT = {Level.CAN_DO: "can do", Level.EXPERIENCED: "experienced", Level.CAN_LEAD: "leads"}
SKILLS_SHOWN = 3  # the strongest skills shown in the list; the rest as "+N more"


@cache
def language_name(code: str) -> str:
    return DonorLanguage(code=code).name


@cache
def country_name(code: str) -> str:
    return str(countries.name(code))


@cache
def region_name(code: str) -> str:
    subdivision = pycountry.subdivisions.get(code=code) if code else None
    return subdivision.name if subdivision else code


def place_label(donor, *, country_name=True) -> str:
    """The donor's place by its names: "Oakland, California, United States"."""
    country = donor.country.name if country_name else donor.country.code
    return ", ".join(part for part in (donor.city, region_name(donor.region), country) if part)


def _skill_choices(value):
    return onequery.Compiled(
        lambda _: Skill.objects.values_list(value, "name", "retired", "category__name")
    )


# By the value the choices carry: compiled once (every page of the donor list shows them).
SKILL_CHOICES = {value: _skill_choices(value) for value in ("slug", "pk")}


def grouped_skill_choices(*, blank_label, value="slug"):
    """Every skill in one query, grouped by category; retired ones last, marked."""
    groups, retired = {}, []
    for key, name, is_retired, category in SKILL_CHOICES[value].rows():
        if is_retired:
            retired.append((key, f"{name} (retired)"))
        else:
            groups.setdefault(category, []).append((key, name))
    choices = [("", blank_label), *groups.items()]
    if retired:
        choices.append(("Retired", retired))
    return choices


def select_html(bound_field):
    """A bound ChoiceField's <select>, as Django's widget renders it but without a template per
    option: the skill filter holds every skill and sits on every page of the donor list."""
    chosen = str(bound_field.value() or "")
    attrs = f'name="{escape(bound_field.html_name)}" id="{escape(bound_field.auto_id)}"'
    if bound_field.errors:
        attrs += f' aria-invalid="true" aria-describedby="{escape(bound_field.auto_id)}_error"'

    def options(choices):
        return "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) == chosen else ""}>'
            f"{escape(str(label))}</option>"
            for key, label in choices
        )

    parts = [
        f'<optgroup label="{escape(str(key))}">{options(label)}</optgroup>'
        if isinstance(label, list | tuple)
        else options([(key, label)])
        for key, label in bound_field.field.choices
    ]
    return mark_safe(f"<select {attrs}>{''.join(parts)}</select>")  # noqa: S308 (escaped)


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

    def controls(self):
        """Each field of the form with its <select> (see select_html)."""
        return [{"field": field, "select": select_html(field)} for field in self.form]

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


class LinkFilterMixin:
    """Rendered by donors/admin/link_filter.html: the same links, without a template per link."""

    template = "donors/admin/link_filter.html"


def _values_on_file(_):
    # No ORDER BY inside a UNION's parts (SQLite refuses it): the models' orderings are cleared.
    donors = Donor.objects.order_by()
    parts = [
        donors.values_list(Value("country"), "country"),
        donors.exclude(region="").values_list(Value("region"), "region"),
        DonorLanguage.objects.order_by().values_list(Value("language"), "code"),
    ]
    return parts[0].distinct().union(*(part.distinct() for part in parts[1:]), all=True)


_VALUES_ON_FILE = onequery.Compiled(_values_on_file)


def values_on_file(request) -> dict[str, list[str]]:
    """The countries, regions and language codes donors have, sorted, for the list's three
    filters of them: one query (a UNION of DISTINCT values; three round trips and three
    compiled queries were a tenth of the list's time), compiled once, kept on the request."""
    if not hasattr(request, "_donor_values_on_file"):
        found = {"country": set(), "region": set(), "language": set()}
        for kind, value in _VALUES_ON_FILE.rows():
            found[kind].add(value)
        request._donor_values_on_file = {kind: sorted(values) for kind, values in found.items()}
    return request._donor_values_on_file


class LinkCountryFilter(LinkFilterMixin, CountryFilter):
    def __init__(self, field, request, *args, **kwargs):
        super().__init__(field, request, *args, **kwargs)
        self.request = request  # for values_on_file()

    def lookup_choices(self, changelist):
        """The countries donors are in, by name (django-countries' walks all 250 countries)."""
        codes = values_on_file(self.request)["country"]
        return sorted(((code, country_name(code)) for code in codes), key=lambda c: c[1])


class LinkBooleanFilter(LinkFilterMixin, admin.BooleanFieldListFilter):
    pass


class RegionFilter(LinkFilterMixin, admin.SimpleListFilter):
    title = "region"
    parameter_name = "region"

    def lookups(self, request, model_admin):
        codes = values_on_file(request)["region"]
        return [(code, f"{region_name(code)} ({code})") for code in codes]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(region=self.value())
        return queryset


class LanguageFilter(LinkFilterMixin, admin.SimpleListFilter):
    title = "language"
    parameter_name = "language"

    def lookups(self, request, model_admin):
        codes = values_on_file(request)["language"]
        return [(code, f"{language_name(code)} ({code})") for code in codes]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(languages__code=self.value())
        return queryset


class PausedFilter(LinkFilterMixin, admin.SimpleListFilter):
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


class ContactConsentFilter(LinkFilterMixin, admin.SimpleListFilter):
    """Whether the volunteer agreed to be contacted about matches (theirs to give, not staff's)."""

    title = "can be contacted"
    parameter_name = "contact_consent"

    def lookups(self, request, model_admin):
        return [("yes", "Yes, agreed"), ("no", "No, never ask")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(contact_consent=self.value() == "yes")
        return queryset


class ReadyToMatchFilter(LinkFilterMixin, admin.SimpleListFilter):
    """Exactly `Donor.objects.matchable()`: the one "who may be asked" rule, not a copy of it."""

    title = "ready to match"
    parameter_name = "ready"

    def lookups(self, request, model_admin):
        return [("yes", "Ready to match"), ("no", "Not now (no consent, paused or inactive)")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.matchable()
        if self.value() == "no":
            return queryset.exclude(pk__in=Donor.objects.matchable().values("pk"))
        return queryset


class LabelledInlineFormSet(BaseInlineFormSet):
    """A tabular inline's cells have only the column heading: name each control, and its row,
    so that a screen reader (and axe) knows what "Delete" or a bare select is about."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = "new row" if index is None else f"row {index + 1}"
        for name, field in form.fields.items():
            label = "Delete" if name == "DELETE" else (field.label or name).capitalize()
            # A related field's select sits inside the admin's wrapper, which renders its own.
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs["aria-label"] = f"{label}, {row}"


class DonorSkillInline(admin.TabularInline):
    model = DonorSkill
    formset = LabelledInlineFormSet
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
    formset = LabelledInlineFormSet
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


class ConflictFormSet(LabelledInlineFormSet):
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
    fields = ("name",)  # the normalized name is matching's internal column
    extra = 0


def not_ready_reasons(donor) -> list[str]:
    """Why `Donor.objects.matchable()` leaves this donor out, in words for staff."""
    reasons = []
    if not donor.contact_consent:
        reasons.append("has not agreed to be contacted")
    if donor.is_paused_indefinitely:
        reasons.append("paused until they resume")
    elif donor.is_paused:
        reasons.append(f"paused until {donor.paused_until:%-d %B %Y}")
    if not donor.user.is_active:
        reasons.append("the account is deactivated")
    return reasons


def _among(model, ids):
    """`model.donor_id` is one of `ids`, given as one query parameter (an array on PostgreSQL,
    JSON text elsewhere): the list's query then compiles once, whatever the page's ids."""
    # The SQL holds our own table's name; the ids are a parameter: nothing typed goes in.
    column = f'"{model._meta.db_table}"."donor_id"'
    if connection.vendor == "postgresql":
        return RawSQL(f"{column} = ANY(%s::bigint[])", (ids,), BooleanField())  # noqa: S611
    json_ids = f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608
    return RawSQL(json_ids, (ids,), BooleanField())  # noqa: S611


def _list_columns(ids):
    # No ORDER BY inside a UNION's parts (SQLite refuses it): the models' orderings are cleared.
    skills = (
        DonorSkill.objects.filter(_among(DonorSkill, ids))
        .order_by()
        .values_list("donor_id", "level", "skill__name")
    )
    languages = (
        DonorLanguage.objects.filter(_among(DonorLanguage, ids))
        .order_by()
        .annotate(no_level=Value(0, output_field=IntegerField()))
        .values_list("donor_id", "no_level", "code")
    )
    return skills.union(languages, all=True)


_LIST_COLUMNS = onequery.Compiled(_list_columns)


def attach_list_columns(donors) -> None:
    """Each donor's skills as (level, name) and language codes, in one query of plain values
    (a language is a row with level 0), compiled once (onequery.Compiled): model instances for
    every skill row, a second round trip, and compiling a query of fifty ids each time were a
    good part of the list's time."""
    ids = [donor.pk for donor in donors]
    held, spoken = {}, {}
    if ids:
        value = ids if connection.vendor == "postgresql" else json.dumps(ids)
        for donor_id, level, name in _LIST_COLUMNS.rows(value):
            if level:
                held.setdefault(donor_id, []).append((level, name))
            else:
                spoken.setdefault(donor_id, []).append(name)
    for donor in donors:
        donor.list_skills = held.get(donor.pk, [])
        donor.list_languages = sorted(spoken.get(donor.pk, []))


CHECKBOX = (
    '<td class="action-checkbox"><input type="checkbox" name="_selected_action" value="{pk}"'
    ' class="action-select" aria-label="Select this object for an action - {name}"></td>'
)


class DonorChangeList(CheckedChangeList):
    """The list's skills and languages columns read one prefetch each, never a query per row;
    its rows are built here in one pass (see `rows`)."""

    def get_queryset(self, request, exclude_parameters=None):
        # The skills and languages columns are read by `rows` in two queries of plain values.
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.select_related("user").only(*LIST_FIELDS)

    def get_results(self, request):
        """Django's ChangeList.get_results, except that an unfiltered list does not count the
        same rows twice (the total is then the count)."""
        paginator = self.model_admin.get_paginator(request, self.queryset, self.list_per_page)
        self.result_count = paginator.count
        filtered = self.has_active_filters or self.query
        self.full_result_count = self.root_queryset.count() if filtered else self.result_count
        self.show_full_result_count = True
        self.show_admin_actions = bool(self.full_result_count)
        self.can_show_all = self.result_count <= self.list_max_show_all
        self.multi_page = self.result_count > self.list_per_page
        if (self.show_all and self.can_show_all) or not self.multi_page:
            self.result_list = self.queryset._clone()
        else:
            try:
                self.result_list = paginator.page(self.page_num).object_list
            except InvalidPage:
                raise IncorrectLookupParameters from None
        self.paginator = paginator

    def headers(self):
        headers = list(result_headers(self))
        return headers, sum(1 for h in headers if h["sortable"] and h["sorted"])

    def rows(self):
        """The result rows as HTML. Django's generic cells (a widget template per checkbox,
        per-cell lookups, lazy-aware escaping) took most of the list's server time; here every
        value is escaped once with the standard library's html.escape."""
        icons = {value: static(f"admin/img/icon-{name}.svg") for value, name in ICONS.items()}
        # Every row's link is the same but for the id: reversed and given the list's filters once.
        preserved = {"preserved_filters": self.preserved_filters, "opts": self.opts}
        url = add_preserved_filters(preserved, self.url_for_result(Donor(pk=PK_MARK)))
        donors = list(self.result_list)
        attach_list_columns(donors)
        today = timezone.localdate()  # once, not per row (the time zone lookup adds up)
        for donor in donors:
            donor.list_paused = donor.is_paused_on(today)
        rows = []
        for donor in donors:
            link = url.replace(PK_MARK, quote(str(donor.pk)))
            cells = "".join(self.cell(name, donor, link, icons) for name in self.list_display)
            rows.append(mark_safe(f"<tr>{cells}</tr>"))  # noqa: S308 (every value escaped)
        return rows

    def cell(self, name, donor, url, icons) -> str:
        if name == "action_checkbox":
            return CHECKBOX.format(pk=escape(str(donor.pk)), name=escape(str(donor)))
        display = getattr(self.model_admin, name, None)
        value = display(donor) if display else getattr(donor, name)
        if isinstance(value, bool):
            text = f'<img src="{escape(icons[value])}" alt="{"Yes" if value else "No"}">'
        else:
            text = escape(str(value)) if value not in ("", None) else self.empty_value
        if name in self.list_display_links:
            return f'<th class="field-{name}"><a href="{escape(url)}">{text}</a></th>'
        return f'<td class="field-{name}">{text}</td>'

    @cached_property
    def empty_value(self):
        return escape(str(self.model_admin.get_empty_value_display()))


# What the list's columns read: loading whole rows (the bio, the links, the user's password
# hash) for 50 donors was time spent on nothing shown.
LIST_FIELDS = (
    "country",
    "region",
    "city",
    "contact_consent",
    "on_call",
    "paused_until",
    "user__display_name",
    "user__email",
)
ICONS = {True: "yes", False: "no"}
PK_MARK = "PKMARK"  # letters only: the admin quotes "_" in ids


@admin.register(Donor)
class DonorAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    form = DonorAdminForm
    list_display = (
        "display_name",
        "email",
        "place",
        "can_be_contacted",
        "on_call",
        "paused",
        "skills_summary",
        "languages_summary",
    )
    list_filter = (
        ReadyToMatchFilter,
        ContactConsentFilter,
        SkillLevelFilter,
        ("country", LinkCountryFilter),
        RegionFilter,
        LanguageFilter,
        ("on_call", LinkBooleanFilter),
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

    @admin.action(description="Vet for confidential fights", permissions=["vet"])
    def vet(self, request, queryset):
        vetted = sum(vet_donor(donor, by=request.user) for donor in queryset)
        self.message_user(
            request,
            f"{vetted} volunteer(s) vetted; {queryset.count() - vetted} already were.",
            messages.SUCCESS,
        )

    def has_vet_permission(self, request):
        return request.user.has_perm("donors.vet_donor")

    def get_changelist(self, request, **kwargs):
        return DonorChangeList

    class Media:
        css = {"all": ["css/admin.css"]}

    def has_add_permission(self, request):
        return False  # volunteers create their own profile after signing up

    # --- the read-only donor page; the form is a deliberate second step -----------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        editing = EDIT_PARAM in request.GET and self.has_change_permission(request)
        if request.method in ("GET", "HEAD") and not editing:
            return self.donor_page(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def donor_page(self, request, object_id):
        donor = self.get_object(request, unquote(object_id))
        if donor is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, donor):
            raise PermissionDenied
        donor = Donor.objects.with_profile().select_related("vetted_by").get(pk=donor.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": donor.user.display_name or donor.user.email,
            "opts": self.opts,
            "original": donor,
            "donor": donor,
            "media": self.media,
            "place": place_label(donor),
            "languages": [language_name(language.code) for language in donor.languages.all()],
            "skill_groups": grouped_donor_skills(donor),
            "ready_to_match": Donor.objects.matchable().filter(pk=donor.pk).exists(),
            "not_ready": not_ready_reasons(donor),
            "changelist_url": reverse("admin:donors_donor_changelist"),
            "can_edit": self.has_change_permission(request, donor),
            "edit_url": f"?{EDIT_PARAM}=1",
            "match_history_url": reverse("admin:matching_match_changelist")
            + f"?donor__id__exact={donor.pk}",
            "preserved_filters": self.get_preserved_filters(request),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/donors/donor/donor_page.html", context)

    # --- the list's columns ------------------------------------------------------------------

    @admin.display(description="name", ordering="user__display_name")
    def display_name(self, donor):
        return donor.user.display_name or "—"

    @admin.display(description="email", ordering="user__email")
    def email(self, donor):
        return donor.user.email

    @admin.display(description="place", ordering="region")
    def place(self, donor):
        return place_label(donor, country_name=False)

    @admin.display(description="can be contacted", boolean=True, ordering="contact_consent")
    def can_be_contacted(self, donor):
        return donor.contact_consent

    @admin.display(description="paused", boolean=True)
    def paused(self, donor):
        return donor.list_paused if hasattr(donor, "list_paused") else donor.is_paused

    @admin.display(description="skills (strongest first)")
    def skills_summary(self, donor):
        """The strongest skills with their level names, then "+N more"."""
        held = getattr(donor, "list_skills", None)
        if held is None:
            held = [(ds.level, ds.skill.name) for ds in donor.donor_skills.all()]
        ranked = sorted(held, key=lambda skill: (-skill[0], skill[1]))
        shown = ", ".join(f"{name} ({LEVEL_SHORT[level]})" for level, name in ranked[:SKILLS_SHOWN])
        hidden = len(ranked) - SKILLS_SHOWN
        return f"{shown} +{hidden} more" if hidden > 0 else shown

    @admin.display(description="languages")
    def languages_summary(self, donor):
        codes = getattr(donor, "list_languages", None)
        if codes is None:
            codes = [language.code for language in donor.languages.all()]
        return ", ".join(language_name(code) for code in codes)


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
