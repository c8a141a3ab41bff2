"""fights/fields.py: the field rules organizers' forms and the staff admin share."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from donors.models import Skill
from fights import fields

TODAY = datetime.date(2026, 5, 1)


@pytest.mark.parametrize(
    ("value", "field", "stored"),
    [
        ("Local\x07 9", fields.OneLineField(), "Local 9"),
        ("Local\n9", fields.OneLineField(), "Local 9"),  # collapsed to one line
        ("a\u2066b\u202e", fields.OneLineField(), "ab"),
        ("one\r\ntwo\tthree", fields.ParagraphsField(), "one\ntwo three"),
        ("one\x1btwo", fields.ParagraphsField(), "onetwo"),
        ("nul\x00", fields.ParagraphsField(), "nul"),
        ("Café ✊🏽 Ñandú", fields.OneLineField(), "Café ✊🏽 Ñandú"),  # modifiers stay
    ],
)
def test_text_fields_drop_invisible_characters_as_every_site_form_does(value, field, stored):
    assert field.clean(value) == stored


@pytest.mark.parametrize(
    ("needed_by", "starts_on", "stored", "expected"),
    [
        (TODAY, None, None, {}),
        (TODAY - datetime.timedelta(days=1), None, None, {"needed_by"}),
        (TODAY - datetime.timedelta(days=1), None, TODAY - datetime.timedelta(days=1), set()),
        (TODAY + datetime.timedelta(days=730), None, None, set()),
        (TODAY + datetime.timedelta(days=731), None, None, {"needed_by"}),
        (TODAY, TODAY + datetime.timedelta(days=1), None, {"starts_on"}),
        # A start date newly typed in the past is refused; the stored one may stay (below).
        (
            TODAY + datetime.timedelta(days=5),
            TODAY - datetime.timedelta(days=3),
            None,
            {"starts_on"},
        ),
    ],
)
def test_request_date_errors(needed_by, starts_on, stored, expected):
    errors = fields.request_date_errors(
        needed_by=needed_by, starts_on=starts_on, stored_needed_by=stored, today=TODAY
    )

    assert set(errors) == set(expected)


def test_request_date_errors_keep_a_stored_start_date_that_has_passed():
    started = TODAY - datetime.timedelta(days=3)
    needed_by = TODAY + datetime.timedelta(days=5)

    assert (
        fields.request_date_errors(
            needed_by=needed_by, starts_on=started, stored_starts_on=started, today=TODAY
        )
        == {}
    )
    assert fields.request_date_errors(
        needed_by=started - datetime.timedelta(days=1),
        starts_on=started,
        stored_needed_by=started - datetime.timedelta(days=1),
        stored_starts_on=started,
        today=TODAY,
    ) == {"starts_on": "The work cannot start after the date it is needed by (2026-04-27)."}


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (fields.hours_field(), "500", 500),
        (fields.hours_field(), "0", None),
        (fields.helpers_field(), "50", 50),
        (fields.helpers_field(), "51", None),
        (fields.level_field(), "3", 3),
        (fields.level_field(), "4", None),
        (fields.level_field(), "", None),
    ],
)
def test_number_and_level_fields_bounds(field, value, expected):
    if expected is None:
        with pytest.raises(ValidationError):
            field.clean(value)
    else:
        assert field.clean(value) == expected


@pytest.mark.django_db
def test_current_skill_error_only_for_newly_chosen_retired_skill():
    skill = Skill.objects.get(slug="mass-texting")
    skill.retired = True

    assert fields.current_skill_error(skill) is not None
    assert fields.current_skill_error(skill, stored_skill_id=skill.pk) is None
    assert fields.current_skill_error(Skill.objects.get(slug="photography")) is None


def test_clean_employer_collapses_and_normalizes():
    assert fields.clean_employer("  ACME   Café ") == ("ACME Café", "acme cafe")
    with pytest.raises(ValidationError, match="it has 300"):
        fields.clean_employer("ﬀ" * 150)
