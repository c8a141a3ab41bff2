import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from tests.factories import UserFactory

USERS = "/admin/accounts/user/"


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.mark.django_db
def test_user_changelist_as_superuser_searches_email_and_name(admin_client):
    UserFactory(email="ana@example.org", display_name="Ana Lima")
    UserFactory(email="ben@example.org", display_name="Ben Okafor")

    by_email = admin_client.get(USERS, {"q": "ANA@"})
    by_name = admin_client.get(USERS, {"q": "okafor"})

    assert [u.email for u in by_email.context["cl"].result_list] == ["ana@example.org"]
    assert [u.email for u in by_name.context["cl"].result_list] == ["ben@example.org"]
    assert "Ben Okafor" in by_name.text


@pytest.mark.django_db
def test_user_change_page_as_superuser_never_shows_password_hash(admin_client):
    person = UserFactory(email="ana@example.org")
    algorithm, *_ = person.password.split("$")

    response = admin_client.get(f"{USERS}{person.pk}/change/")

    assert response.status_code == 200
    assert person.password not in response.text
    assert f"{algorithm}$" not in response.text
    assert "algorithm" not in response.text
    assert 'name="password"' not in response.text
    assert f'href="{USERS}{person.pk}/password/"' in response.text


@pytest.mark.django_db
def test_user_change_as_superuser_keeps_password(admin_client):
    person = UserFactory(email="ana@example.org")
    data = {
        "email": "ana@example.org",
        "display_name": "Ana L.",
        "time_zone": "America/Chicago",
        "is_active": "on",
    }

    response = admin_client.post(f"{USERS}{person.pk}/change/", data)

    assert response.status_code == 302
    old_hash = person.password
    person.refresh_from_db()
    assert (person.display_name, person.time_zone) == ("Ana L.", "America/Chicago")
    assert person.password == old_hash


@pytest.mark.django_db
def test_user_add_form_as_superuser_asks_email_and_password_twice(admin_client):
    response = admin_client.get(f"{USERS}add/")

    assert list(response.context["adminform"].form.fields) == ["email", "password1", "password2"]
    assert 'name="username"' not in response.text


@pytest.mark.django_db
def test_user_add_as_superuser_creates_user_with_usable_password(admin_client):
    data = {"email": "new@Example.ORG", "password1": "a-long-pass-phrase", "password2": ""}
    data["password2"] = data["password1"]

    response = admin_client.post(f"{USERS}add/", data)

    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert user.check_password("a-long-pass-phrase")
    assert (user.is_staff, user.is_superuser) == (False, False)


@pytest.mark.django_db
def test_user_add_as_superuser_duplicate_email_any_case_errors_at_field(admin_client):
    UserFactory(email="ana@example.org")
    data = {"email": "ANA@example.org", "password1": "a-long-pass-phrase"}
    data["password2"] = data["password1"]

    response = admin_client.post(f"{USERS}add/", data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"email": ["A user with this email address already exists."]}
    assert User.objects.filter(email__iexact="ana@example.org").count() == 1


@pytest.mark.django_db
def test_user_add_as_superuser_mismatched_passwords_error_at_field(admin_client):
    data = {"email": "new@example.org", "password1": "a-long-pass-phrase", "password2": "other"}

    response = admin_client.post(f"{USERS}add/", data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert list(errors) == ["password2"]
    assert [e.code for e in errors["password2"]] == ["password_mismatch"]
    assert 'value="new@example.org"' in response.text  # nothing typed is lost


@pytest.mark.django_db
def test_user_change_page_as_staff_is_read_only_without_password_link(client, staff):
    client.force_login(staff)
    person = UserFactory(email="ana@example.org", display_name="Ana Lima")

    page = client.get(f"{USERS}{person.pk}/change/")
    post = client.post(f"{USERS}{person.pk}/change/", {"email": "evil@example.org"})
    password_form = client.get(f"{USERS}{person.pk}/password/")

    assert page.status_code == 200
    assert "Ana Lima" in page.text
    assert 'name="email"' not in page.text
    assert f"{USERS}{person.pk}/password/" not in page.text
    assert post.status_code == 403
    assert password_form.status_code == 403
    person.refresh_from_db()
    assert person.email == "ana@example.org"


@pytest.mark.django_db
def test_user_add_as_staff_forbidden(client, staff):
    client.force_login(staff)

    response = client.get(f"{USERS}add/")

    assert response.status_code == 403


@pytest.mark.django_db
def test_email_addresses_as_staff_viewable_not_editable(client, staff):
    client.force_login(staff)
    address = EmailAddress.objects.get(email=staff.email)

    listing = client.get("/admin/account/emailaddress/", {"q": staff.email})
    change = client.post(
        f"/admin/account/emailaddress/{address.pk}/change/", {"email": "x@example.org"}
    )

    assert listing.status_code == 200
    assert [a.email for a in listing.context["cl"].result_list] == [staff.email]
    assert change.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["anonymous", "volunteer"])
def test_user_changelist_as_non_staff_redirects_to_admin_login(client, persona, request):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))

    response = client.get(USERS)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={USERS}"


def _backend_permissions(user_id):
    """What Django's ModelBackend reads, on a fresh instance: (own, groups', all)."""
    fresh = User.objects.get(pk=user_id)
    return (
        fresh.get_user_permissions(),
        fresh.get_group_permissions(),
        fresh.get_all_permissions(),
    )


def test_load_permissions_as_staff_with_own_permission_gives_the_backends_sets_in_one_query(
    staff, django_assert_num_queries
):
    from django.contrib.auth.models import Permission

    from accounts.queries import load_permissions

    staff.user_permissions.add(Permission.objects.get(codename="vet_donor"))
    user = User.objects.get(pk=staff.pk)

    with django_assert_num_queries(1):
        load_permissions(user)
        loaded = (user.get_user_permissions(), user.get_group_permissions())
        everything = user.get_all_permissions()

    assert loaded[0] == {"donors.vet_donor"}
    assert "donors.view_donor" in loaded[1]
    assert (*loaded, everything) == _backend_permissions(staff.pk)


def test_load_permissions_as_inactive_or_superuser_leaves_the_backend_to_answer(staff, superuser):
    from accounts.queries import load_permissions

    staff.is_active = False
    for user in (staff, User.objects.get(pk=superuser.pk)):
        load_permissions(user)
        assert not hasattr(user, "_user_perm_cache")
    assert staff.get_all_permissions() == set()
