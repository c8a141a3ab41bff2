"""Session rows know their user (accounts.sessions): deleting an account signs it out everywhere."""

import pytest
from django.test import Client

from accounts.models import Session
from tests.factories import PASSWORD


def sign_in(email) -> Client:
    browser = Client()
    response = browser.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response["Location"] == "/me/"
    return browser


@pytest.mark.django_db
def test_session_row_after_login_holds_user_id(user):
    browser = sign_in(user.email)

    session = Session.objects.get(session_key=browser.session.session_key)

    assert session.user_id == user.pk
    assert session.get_decoded()["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_session_row_of_visitor_has_no_user(client):
    session = client.session
    session["cart"] = "anything"
    session.save()

    assert Session.objects.get(session_key=session.session_key).user_id is None


@pytest.mark.django_db
def test_session_row_gains_user_when_visitor_signs_in(client, user):
    visitor_session = client.session
    visitor_session["before"] = True
    visitor_session.save()

    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert Session.objects.get(session_key=client.session.session_key).user_id == user.pk
    assert not Session.objects.filter(session_key=visitor_session.session_key).exists()


@pytest.mark.django_db
def test_logout_leaves_no_session_row_for_the_user(user):
    browser = sign_in(user.email)

    browser.post("/accounts/logout/")

    assert not Session.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_delete_account_signs_out_every_browser(volunteer, other_volunteer):
    laptop, phone = sign_in(volunteer.email), sign_in(volunteer.email)
    bystander = sign_in(other_volunteer.email)
    assert Session.objects.filter(user=volunteer).count() == 2

    laptop.post("/me/delete/", {"password": PASSWORD})

    assert not Session.objects.filter(user_id=volunteer.pk).exists()
    assert phone.get("/me/")["Location"] == "/accounts/login/?next=/me/"
    assert bystander.get("/me/").status_code == 200
    assert Session.objects.filter(user=other_volunteer).count() == 1


def test_user_get_by_pk_compiled_gives_the_orm_answers(user, django_assert_num_queries):
    from accounts.models import User

    with django_assert_num_queries(1):
        loaded = User.objects.get(pk=user.pk)

    expected = User.objects.filter(pk=user.pk).get()
    assert [getattr(loaded, f.attname) for f in User._meta.concrete_fields] == [
        getattr(expected, f.attname) for f in User._meta.concrete_fields
    ]
    assert loaded._state.adding is False
    assert User.objects.get(pk=str(user.pk)) == user
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=user.pk + 1000)
    with pytest.raises(ValueError, match="expected a number"):
        User.objects.get(pk="not a number")


def test_user_get_by_pk_knows_whether_a_volunteer_without_another_query(
    user, django_assert_num_queries
):
    from accounts.models import User
    from tests.factories import DonorFactory

    volunteer = DonorFactory().user

    with django_assert_num_queries(2):
        answers = [User.objects.get(pk=person.pk).is_volunteer for person in (user, volunteer)]

    assert answers == [False, True]


# --- request.user comes with the session's row (accounts.middleware) --------------------------


def _signed_in_request(browser):
    """A request carrying `browser`'s session cookie, through the sessions and auth middleware."""
    from django.conf import settings
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.test import RequestFactory

    from accounts.middleware import AuthenticationMiddleware

    request = RequestFactory().get("/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = browser.cookies[
        settings.SESSION_COOKIE_NAME
    ].value
    SessionMiddleware(lambda r: None).process_request(request)
    AuthenticationMiddleware(lambda r: None).process_request(request)
    return request


@pytest.mark.django_db
def test_signed_in_request_reads_session_and_user_in_one_query(
    volunteer, django_assert_num_queries
):
    request = _signed_in_request(sign_in(volunteer.email))

    with django_assert_num_queries(1):
        assert (request.user.pk, request.user.is_volunteer) == (volunteer.pk, True)


@pytest.mark.django_db
def test_signed_in_request_after_deactivation_is_anonymous(user):
    browser = sign_in(user.email)
    type(user).objects.filter(pk=user.pk).update(is_active=False)

    assert _signed_in_request(browser).user.is_anonymous


@pytest.mark.django_db
def test_signed_in_request_after_password_change_elsewhere_is_anonymous(user):
    browser = sign_in(user.email)
    user.set_password("a different password 42")
    user.save()

    assert _signed_in_request(browser).user.is_anonymous


@pytest.mark.django_db
def test_user_get_by_pk_outside_signing_in_reads_the_row_again(user, django_assert_num_queries):
    from accounts.models import User

    request = _signed_in_request(sign_in(user.email))
    assert request.user.display_name == user.display_name
    User.objects.filter(pk=user.pk).update(display_name="Renamed")

    with django_assert_num_queries(1):
        assert User.objects.get(pk=user.pk).display_name == "Renamed"


@pytest.mark.django_db
def test_signed_in_request_with_another_session_engine_still_signs_in(user, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    browser = Client()
    browser.force_login(user)

    assert _signed_in_request(browser).user.pk == user.pk
