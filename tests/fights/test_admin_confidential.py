"""A staff member without `fights.view_confidential_fight` never learns of a confidential fight in
the admin: its title, employer and organization name are in no page they can reach, and its ids
answer like ids that do not exist. A staff member with the permission sees it."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from fights.models import Fight, SupportRequest
from notifications import kinds
from tests.test_access import CONFIDENTIAL_MARKERS, _programs_world, _world, all_rows, client_for


@pytest.fixture
def world(db):
    """The access table's world (tests/test_access.py); its staff lack the permission."""
    with kinds.temporary_kind("test.access-digest", essential=False) as digest:
        yield _programs_world(_world(digest))


CHANGELISTS = (
    "/admin/fights/organization/",
    "/admin/fights/fight/",
    "/admin/fights/supportrequest/",
)


def assert_nothing_confidential(response, world, where):
    body = response.content.decode(errors="replace")
    for marker in CONFIDENTIAL_MARKERS:
        assert world["placeholders"][marker] not in body, f"{where}: leaked {marker}"
    assert "SECRETREQUEST" not in body, f"{where}: leaked the confidential request"


def secret_pages(world):
    """Change, history and delete pages of the confidential fight, its request and its
    organization (known only through that fight)."""
    objects = {
        "organization": world["orgs"]["secret"],
        "fight": world["fights"]["secret"],
        "supportrequest": world["requests"]["secret"],
    }
    for model_name, obj in objects.items():
        for page in ("change", "history", "delete"):
            yield reverse(f"admin:fights_{model_name}_{page}", kwargs={"object_id": obj.pk})


@pytest.mark.django_db
def test_staff_without_permission_every_admin_page_hides_confidential_fight(world):
    staff = client_for("staff", world)
    assert not world["users"]["staff"].has_perm("fights.view_confidential_fight")

    for row in all_rows():
        if not row.name.startswith("admin:"):
            continue
        url = reverse(row.name, kwargs=row.kwargs(world) if row.kwargs else None) + row.query
        assert_nothing_confidential(staff.get(url), world, row.name)


@pytest.mark.django_db
def test_staff_without_permission_confidential_ids_answer_like_missing_ones(world):
    staff = client_for("staff", world)
    missing = staff.get(reverse("admin:fights_fight_change", kwargs={"object_id": 999999}))

    for url in secret_pages(world):
        response = staff.get(url)
        assert response.status_code == missing.status_code == 404, url
        assert_nothing_confidential(response, world, url)


@pytest.mark.django_db
def test_staff_without_permission_cannot_change_confidential_request(world):
    secret = world["requests"]["secret"]
    url = reverse("admin:fights_supportrequest_change", kwargs={"object_id": secret.pk})

    response = client_for("staff", world).post(url, {"title": "defaced", "hours_estimate": "9"})

    assert response.status_code == 404
    secret.refresh_from_db()
    assert (secret.title, secret.hours_estimate) == ("SECRETREQUEST flyers", 8)


@pytest.mark.django_db
@pytest.mark.parametrize("url", CHANGELISTS)
@pytest.mark.parametrize("term", ["SECRET", "Quietwater", "walkout", "SECRETBOSS"])
def test_staff_without_permission_search_finds_nothing_confidential(world, url, term):
    response = client_for("staff", world).get(url, {"q": term})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert_nothing_confidential(response, world, f"{url}?q={term}")


@pytest.mark.django_db
def test_staff_without_permission_counts_and_filters_leave_confidential_out(world):
    staff = client_for("staff", world)
    secret_org = world["orgs"]["secret"].pk

    fights = staff.get("/admin/fights/fight/")
    requests = staff.get("/admin/fights/supportrequest/")
    organizations = staff.get("/admin/fights/organization/")
    by_org = staff.get("/admin/fights/fight/", {"organization__id__exact": secret_org})
    by_org_requests = staff.get(
        "/admin/fights/supportrequest/", {"fight__organization__id__exact": secret_org}
    )
    confidential = staff.get("/admin/fights/fight/", {"visibility__exact": "confidential"})

    assert fights.context["cl"].full_result_count == Fight.objects.count() - 1
    assert requests.context["cl"].full_result_count == SupportRequest.objects.count() - 1
    assert organizations.context["cl"].full_result_count == 2  # Harbor and Pending
    for response in (fights, requests, organizations, by_org, by_org_requests, confidential):
        assert_nothing_confidential(response, world, response.request["PATH_INFO"])
    assert list(by_org.context["cl"].result_list) == []
    assert list(confidential.context["cl"].result_list) == []


def autocomplete(client, model_name, field_name, term=""):
    params = {"app_label": "fights", "model_name": model_name, "field_name": field_name}
    return client.get("/admin/autocomplete/", {**params, "term": term})


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["", "SECRET", "Quietwater", "walkout"])
def test_staff_without_permission_autocomplete_hides_confidential(world, term):
    staff = client_for("staff", world)

    fights = autocomplete(staff, "supportrequest", "fight", term)
    organizations = autocomplete(staff, "fight", "organization", term)
    users = autocomplete(staff, "membership", "user", term)

    for response in (fights, organizations, users):
        assert response.status_code == 200
        assert_nothing_confidential(response, world, response.request["QUERY_STRING"])
    fight_titles = {result["text"] for result in fights.json()["results"]}
    assert fight_titles == ({"Harbor strike 2026", "Pending drive"} if not term else set())


@pytest.mark.django_db
def test_staff_without_permission_popup_lookup_hides_confidential(world):
    popup = client_for("staff", world).get("/admin/fights/fight/", {"_popup": "1"})

    assert popup.status_code == 200
    assert len(popup.context["cl"].result_list) == 2
    assert_nothing_confidential(popup, world, "popup")


@pytest.mark.django_db
def test_staff_without_permission_actions_ignore_confidential_ids(world):
    secret_org = world["orgs"]["secret"]
    data = {
        "action": "reject_organizations",
        "_selected_action": [secret_org.pk],
        "confirm": "yes",
        "reason": "Probing",
    }

    response = client_for("staff", world).post("/admin/fights/organization/", data, follow=True)

    secret_org.refresh_from_db()
    assert secret_org.rejected_at is None
    assert_nothing_confidential(response, world, "reject action")


@pytest.mark.django_db
def test_staff_without_permission_request_form_offers_no_confidential_fight(world):
    public = world["requests"]["public"]
    url = reverse("admin:fights_supportrequest_change", kwargs={"object_id": public.pk})
    staff = client_for("staff", world)
    data = {
        "fight": world["fights"]["secret"].pk,  # forged: another organization's secret fight
        "title": public.title,
        "needed_by": public.needed_by.isoformat(),
        "hours_estimate": "8",
        "helpers_needed": "1",
        "work_mode": "remote",
        "request_skills-TOTAL_FORMS": "0",
        "request_skills-INITIAL_FORMS": "0",
        "languages-TOTAL_FORMS": "0",
        "languages-INITIAL_FORMS": "0",
    }

    page = staff.get(url)
    forged = staff.post(url, data)

    assert_nothing_confidential(page, world, "request change page")
    assert forged.status_code == 200
    assert "Select a valid choice" in forged.text
    assert_nothing_confidential(forged, world, "forged fight")
    public.refresh_from_db()
    assert public.fight == world["fights"]["public"]


@pytest.mark.django_db
def test_staff_with_permission_sees_confidential_fight(world):
    staff_user = world["users"]["staff"]
    staff_user.groups.add(Group.objects.get(name="Confidential fights"))
    staff = client_for("staff", world)
    secret = world["fights"]["secret"]

    listing = staff.get("/admin/fights/fight/", {"q": "walkout"})
    change = staff.get(reverse("admin:fights_fight_change", kwargs={"object_id": secret.pk}))
    organizations = staff.get("/admin/fights/organization/", {"q": "Quietwater"})

    assert [fight.title for fight in listing.context["cl"].result_list] == [secret.title]
    assert change.status_code == 200
    assert "SECRETBOSS Corp" in change.text
    assert "Quietwater SECRETORG Local" in organizations.text


@pytest.mark.django_db
def test_member_staff_sees_own_organizations_confidential_fight(world):
    """Staff who organize in their own organization are not locked out of its plans."""
    from tests.factories import MembershipFactory

    MembershipFactory(organization=world["orgs"]["secret"], user=world["users"]["staff"])

    response = client_for("staff", world).get("/admin/fights/fight/", {"q": "walkout"})

    assert [fight.pk for fight in response.context["cl"].result_list] == [
        world["fights"]["secret"].pk
    ]
