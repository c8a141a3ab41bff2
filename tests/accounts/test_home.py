import pytest


@pytest.mark.django_db
def test_home_shows_both_paths(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Offer your skills" in response.text
    assert "Get help for your fight" in response.text
