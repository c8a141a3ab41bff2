"""People and rows the matching page tests share: an organization with an admin who wrote the
request, a volunteer with the skill it needs, and staff who propose."""

import pytest
from django.core import mail
from django.utils import timezone

from matching import services
from tests.factories import (
    DonorFactory,
    DonorSkillFactory,
    FightFactory,
    MembershipFactory,
    OrganizationFactory,
    RequestSkillFactory,
    SkillFactory,
    StaffFactory,
    SupportRequestFactory,
    UserFactory,
)


@pytest.fixture
def organizer(db):
    return UserFactory(email="ada@example.org", display_name="Ada Organizer")


@pytest.fixture
def organization(organizer):
    organization = OrganizationFactory(name="Harbor Workers ORGNAME Local")
    MembershipFactory(organization=organization, user=organizer, role="admin")
    return organization


@pytest.fixture
def skill(db):
    return SkillFactory(name="Picket flyer design")


def make_request(organization, organizer, *, skill, visibility="public", **fields):
    fight = FightFactory(
        organization=organization,
        title=f"FIGHTTITLE {visibility} walkout",
        target_employer="EMPLOYERNAME Logistics",
        sector="Warehousing",
        visibility=visibility,
    )
    support_request = SupportRequestFactory(
        fight=fight,
        title=f"REQUESTTITLE {visibility} flyers",
        description="DESCRIPTIONTEXT for the flyers",
        created_by=organizer,
        **fields,
    )
    RequestSkillFactory(request=support_request, skill=skill)
    return support_request


@pytest.fixture
def support_request(organization, organizer, skill):
    return make_request(organization, organizer, skill=skill)


@pytest.fixture
def confidential_request(organization, organizer, skill):
    return make_request(organization, organizer, skill=skill, visibility="confidential")


def make_donor(support_request, **user_fields):
    user = UserFactory(
        **{"email": "vera@example.org", "display_name": "Vera Surname", **user_fields}
    )
    donor = DonorFactory(
        user=user, links=["https://vera.example.org/portfolio"], vetted_at=timezone.now()
    )
    for request_skill in support_request.request_skills.all():
        DonorSkillFactory(donor=donor, skill=request_skill.skill, level=2)
    return donor


@pytest.fixture
def donor(support_request):
    return make_donor(support_request)


@pytest.fixture
def staff_user(db):
    return StaffFactory(email="sam@example.org")


@pytest.fixture
def propose(staff_user, django_capture_on_commit_callbacks):
    """Propose as staff, delivering the mail; returns the match."""

    def run(support_request, donor, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.propose_match(
                request=support_request, donor=donor, by=staff_user, **kwargs
            )

    return run


@pytest.fixture
def proposal(propose, support_request, donor):
    match = propose(support_request, donor)
    mail.outbox.clear()
    return match


def mail_text(message) -> str:
    """Subject, text and HTML of one sent email."""
    html = "".join(body for body, mime in message.alternatives if mime == "text/html")
    return f"{message.subject}\n{message.body}\n{html}"
