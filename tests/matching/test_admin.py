import pytest

from donors.models import Donor
from matching.admin import explanation_table
from matching.models import Match
from tests.factories import DonorFactory, SupportRequestFactory

pytestmark = pytest.mark.django_db

EXPLANATION = {
    "version": 1,
    "score": 62.5,
    "skills": [
        {
            "skill": "Poster <design>",
            "required": True,
            "min_level": 2,
            "level": 1,
            "weight": 3.2,
            "points": 40.0,
            "max_points": 80.0,
            "near_miss": True,
        }
    ],
    "missing_required": ["Poster <design>"],
    "modifiers": [
        {"label": "Hours fit", "detail": "5 h/week", "points": 8.0, "max_points": 8.0},
    ],
}


def test_explanation_table_renders_rows_with_bars_and_escapes():
    html = explanation_table(EXPLANATION)

    assert "<meter min='0' max='80.0' value='40.0'>" in html
    assert "Poster &lt;design&gt;" in html and "<design>" not in html
    assert "(near miss)" in html
    assert "Scoring version 1: 62.5 points; missing: Poster &lt;design&gt;" in html
    assert "{" not in html


def test_explanation_table_says_which_training_verified_a_skill():
    trained = {
        **EXPLANATION["skills"][0],
        "near_miss": False,
        "trained": True,
        "trained_in": "Picket <posters>",
    }

    html = explanation_table({**EXPLANATION, "skills": [trained]})

    assert "minimum 2, has 1; verified by a training: Picket &lt;posters&gt;" in html


def test_match_change_page_shows_explanation_table(admin_client):
    match = Match.objects.create(
        request=SupportRequestFactory(), donor=DonorFactory(), explanation=EXPLANATION
    )

    response = admin_client.get(f"/admin/matching/match/{match.pk}/change/")

    assert response.status_code == 200
    assert "<table class='match-explanation'>" in response.content.decode()


def test_donor_admin_vet_action_records_staff(admin_client, admin_user):
    donor = DonorFactory()

    response = admin_client.post(
        "/admin/donors/donor/", {"action": "vet", "_selected_action": [donor.pk]}, follow=True
    )

    assert "1 volunteer(s) vetted; 0 already were." in response.content.decode()
    assert Donor.objects.get(pk=donor.pk).vetted_by == admin_user
