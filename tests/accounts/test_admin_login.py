"""The admin has no login of its own: it goes through allauth (rate limits, verification)."""

import pytest

from tests.factories import PASSWORD, StaffFactory


@pytest.mark.django_db
def test_admin_login_for_anonymous_redirects_to_allauth_login(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


@pytest.mark.django_db
def test_admin_index_for_anonymous_ends_at_allauth_login(client):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1] == ("/accounts/login/?next=%2Fadmin%2F", 302)
    assert response.status_code == 200


@pytest.mark.django_db
def test_admin_login_form_post_does_not_sign_in(client):
    staff = StaffFactory()

    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_for_non_staff_user_is_forbidden(client, user):
    client.force_login(user)

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302)]
    assert response.status_code == 403


@pytest.mark.django_db
def test_admin_for_staff_after_allauth_login_is_open(client):
    staff = StaffFactory()

    login = client.post(
        "/accounts/login/?next=/admin/", {"login": staff.email, "password": PASSWORD}
    )
    response = client.get("/admin/")

    assert login["Location"] == "/admin/"
    assert response.status_code == 200
