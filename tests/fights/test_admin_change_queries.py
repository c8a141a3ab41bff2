"""The change pages with inlines: as many queries for 1 inline row as for 3."""

import pytest
from django.contrib.contenttypes.models import ContentType

from donors.models import Skill
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganizationFactory,
    RequestLanguageFactory,
    RequestSkillFactory,
    SupportRequestFactory,
)

SLUGS = ["flyers-print", "graphic-design", "photography"]
# One fewer each since a staff member's permissions come in one query, not ModelBackend's two.
QUERIES = {"organization": 6, "request": 11}


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 3])
def test_organization_change_page_query_count_constant(
    staff_client, django_assert_num_queries, rows
):
    organization = OrganizationFactory()
    MembershipFactory.create_batch(rows, organization=organization)
    InvitationFactory.create_batch(rows, organization=organization)
    ContentType.objects.clear_cache()

    with django_assert_num_queries(QUERIES["organization"]):
        response = staff_client.get(f"/admin/fights/organization/{organization.pk}/change/")

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 3])
def test_request_change_page_query_count_constant(staff_client, django_assert_num_queries, rows):
    support_request = SupportRequestFactory()
    for slug in SLUGS[:rows]:
        RequestSkillFactory(request=support_request, skill=Skill.objects.get(slug=slug))
    for code in ["en", "es", "fr"][:rows]:
        RequestLanguageFactory(request=support_request, code=code)
    ContentType.objects.clear_cache()

    with django_assert_num_queries(QUERIES["request"]):
        response = staff_client.get(f"/admin/fights/supportrequest/{support_request.pk}/change/")

    assert response.status_code == 200
