"""The staff review pages: a request's ranked candidates (propose, reject, promote, withdraw) and
the review queue; who may see them, what bad input gets, and their query counts."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from matching import scoring, services
from matching.models import CandidateRejection, Match, MatchStatus
from tests.factories import (
    ConflictFactory,
    DonorFactory,
    DonorSkillFactory,
    FightFactory,
    RequestSkillFactory,
    SkillFactory,
    StaffFactory,
    SupportRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = "/staff/matching/queue/"


def candidates_url(support_request):
    return f"/staff/matching/requests/{support_request.pk}/candidates/"


@pytest.fixture
def skill():
    return SkillFactory(name="Poster screen printing")


@pytest.fixture
def support_request(skill):
    support_request = SupportRequestFactory(title="Picket posters")
    RequestSkillFactory(request=support_request, skill=skill, required=True, min_level=1)
    return support_request


def donor_named(name, skill, level=2, **fields):
    donor = DonorFactory(user=UserFactory(display_name=name), **fields)
    DonorSkillFactory(donor=donor, skill=skill, level=level)
    return donor


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def listed(response):
    """The candidates on the page, by name, best first."""
    return [row.donor.user.display_name for row in response.context["rows"]]


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def follow_messages(client, response):
    assert response.status_code == 302, response.status_code
    return [str(m) for m in client.get(response["Location"]).context["messages"]]


# --- the candidate page --------------------------------------------------------------------


def test_candidates_page_shows_summary_ranked_candidates_and_explanations(
    staff_client, support_request, skill
):
    lead = donor_named("Lea Lead", skill, level=3, weekly_hours=10)
    donor_named("Nico Near", skill, level=1, weekly_hours=1)

    response = staff_client.get(candidates_url(support_request))

    assert response.status_code == 200
    assert listed(response) == ["Lea Lead", "Nico Near"]
    body = response.text
    assert "Picket posters" in body
    assert "1 needed, 0 accepted, 0 waiting for an answer; suggestions to review: 0" in body
    assert "Poster screen printing — required, minimum level 1" in body
    assert "<table class='match-explanation'>" in body
    assert f'href="/admin/donors/donor/{lead.pk}/change/"' in body
    assert f'type="checkbox" name="donor" value="{lead.pk}"' in body
    assert ">Propose selected</button>" in body


def test_candidates_page_filters_on_call_remote_and_minimum_level(
    staff_client, support_request, skill
):
    donor_named("Ona Oncall", skill, level=3, on_call=True, work_mode="in_person")
    donor_named("Remy Remote", skill, level=2, work_mode="remote")
    donor_named("Eli Either", skill, level=1, work_mode="either", on_call=True)
    url = candidates_url(support_request)

    assert sorted(listed(staff_client.get(url, {"on_call": "1"}))) == ["Eli Either", "Ona Oncall"]
    assert sorted(listed(staff_client.get(url, {"remote": "1"}))) == ["Eli Either", "Remy Remote"]
    assert sorted(listed(staff_client.get(url, {"min_level": "2"}))) == [
        "Ona Oncall",
        "Remy Remote",
    ]
    assert listed(staff_client.get(url, {"min_level": "3", "on_call": "1"})) == ["Ona Oncall"]


def test_rank_candidates_within_narrows_the_pool_and_keeps_the_scores(support_request, skill):
    on_call = donor_named("Ona Oncall", skill, level=3, on_call=True)
    donor_named("Lea Lead", skill, level=3, weekly_hours=20)
    everyone = {c.donor_id: c.score for c in scoring.rank_candidates(support_request)}

    narrowed = scoring.rank_candidates(support_request, within=Q(on_call=True))

    assert [(c.donor_id, c.score) for c in narrowed] == [(on_call.pk, everyone[on_call.pk])]
    assert len(everyone) == 2


@pytest.mark.parametrize("value", ["9", "two", "1.5", "\x00"])
def test_candidates_page_bad_filter_value_is_400_with_message(
    staff_client, support_request, skill, value
):
    donor_named("Lea Lead", skill)

    response = staff_client.get(candidates_url(support_request), {"min_level": value})

    assert response.status_code == 400
    assert "Choose a level from the list." in response.text
    assert 'id="id_min_level_errors"' in response.text
    assert response.context["rows"] == []


def test_propose_selected_proposes_each_and_reports_refusals(
    staff_client, staff, support_request, skill
):
    ana = donor_named("Ana Able", skill)
    bo = donor_named("Bo Busy", skill)
    conflicted = donor_named("Cy Conflicted", skill)
    ConflictFactory(
        donor=conflicted, normalized_name=support_request.fight.target_employer_normalized
    )

    response = staff_client.post(
        candidates_url(support_request) + "?on_call=",
        {"action": "propose", "donor": [ana.pk, bo.pk, conflicted.pk]},
    )

    assert response["Location"] == candidates_url(support_request) + "?on_call="
    assert follow_messages(staff_client, response) == [
        "Proposed: Ana Able, Bo Busy.",
        "Not proposed: Cy Conflicted. This volunteer cannot be asked for this request.",
    ]
    proposed = Match.objects.filter(status=MatchStatus.PROPOSED)
    assert sorted(proposed.values_list("donor__user__display_name", flat=True)) == [
        "Ana Able",
        "Bo Busy",
    ]
    assert {m.proposed_by for m in proposed} == {staff}
    assert not Match.objects.filter(donor=conflicted).exists()


def test_propose_twice_says_already_proposed_and_changes_nothing(
    staff_client, support_request, skill
):
    ana = donor_named("Ana Able", skill)
    url = candidates_url(support_request)
    first = staff_client.post(url, {"action": "propose", "donor": [ana.pk]})
    assert follow_messages(staff_client, first) == ["Proposed: Ana Able."]
    before = list(Match.objects.values())

    response = staff_client.post(url, {"action": "propose", "donor": [ana.pk]})

    assert follow_messages(staff_client, response) == [
        "Not proposed: Ana Able. This volunteer is already proposed for this request."
    ]
    assert list(Match.objects.values()) == before


@pytest.mark.parametrize(
    ("donor_ids", "message"),
    [
        (["999999"], "One of the ticked volunteers does not exist."),
        (["abc"], "One of the ticked volunteers does not exist."),
        (["99999999999999999999999"], "One of the ticked volunteers does not exist."),
        ([], "Tick at least one volunteer to propose."),
    ],
)
def test_propose_forged_or_missing_donor_is_400_and_changes_nothing(
    staff_client, support_request, skill, donor_ids, message
):
    donor_named("Ana Able", skill)

    response = staff_client.post(
        candidates_url(support_request), {"action": "propose", "donor": donor_ids}
    )

    assert response.status_code == 400
    assert message in response.text
    assert 'role="alert"' in response.text
    assert Match.objects.count() == 0


def test_propose_more_than_the_page_shows_is_refused(staff_client, support_request, skill):
    donors = [donor_named(f"Donor {n}", skill) for n in range(21)]

    response = staff_client.post(
        candidates_url(support_request), {"action": "propose", "donor": [d.pk for d in donors]}
    )

    assert response.status_code == 400
    assert "Propose at most 20 volunteers at a time." in response.text
    assert Match.objects.count() == 0


def test_propose_a_filtered_out_donor_is_refused(staff_client, support_request, skill):
    paused = donor_named(
        "Pat Paused", skill, paused_until=timezone.localdate() + datetime.timedelta(days=3)
    )

    response = staff_client.post(
        candidates_url(support_request), {"action": "propose", "donor": [paused.pk]}
    )

    assert follow_messages(staff_client, response) == [
        "Not proposed: Pat Paused. This volunteer cannot be asked for this request."
    ]
    assert Match.objects.count() == 0


def make_resting(donor, staff):
    """The donor declined a proposal just now: resting for the cooldown."""
    other = SupportRequestFactory()
    RequestSkillFactory(request=other, skill=donor.donor_skills.get().skill)
    match = services.propose_match(request=other, donor=donor, by=staff)
    services.decline_match(match, by=donor.user)


def test_resting_candidate_is_marked_and_cannot_be_proposed(
    staff_client, staff, support_request, skill
):
    resting = donor_named("Rae Resting", skill)
    make_resting(resting, staff)
    url = candidates_url(support_request)

    response = staff_client.get(url)

    assert listed(response) == ["Rae Resting"]
    assert "Resting: declined a proposal lately." in response.text
    assert "Cooldown until" in response.text
    assert f'type="checkbox" name="donor" value="{resting.pk}"' not in response.text

    response = staff_client.post(url, {"action": "propose", "donor": [resting.pk]})

    (message,) = follow_messages(staff_client, response)
    assert message.startswith("Not proposed: Rae Resting. This volunteer cannot be asked now:")
    assert not Match.objects.filter(request=support_request).exists()


def test_reject_with_reason_excludes_the_candidate_from_ranking(
    staff_client, staff, support_request, skill
):
    ana = donor_named("Ana Able", skill)
    donor_named("Bo Busy", skill)
    url = candidates_url(support_request)

    response = staff_client.post(url, {"action": "reject", "donor": ana.pk, "reason": " Too far "})

    assert follow_messages(staff_client, response) == [
        "Ana Able is rejected for this request and will not be ranked for it again."
    ]
    rejection = CandidateRejection.objects.get()
    assert (rejection.donor, rejection.reason, rejection.rejected_by) == (ana, "Too far", staff)
    assert listed(staff_client.get(url)) == ["Bo Busy"]


def test_reject_reason_too_long_is_400_and_stores_nothing(staff_client, support_request, skill):
    ana = donor_named("Ana Able", skill)

    response = staff_client.post(
        candidates_url(support_request), {"action": "reject", "donor": ana.pk, "reason": "x" * 1001}
    )

    assert response.status_code == 400
    assert "Ensure this value has at most 1000 characters (it has 1001)." in response.text
    assert CandidateRejection.objects.count() == 0


def test_i_can_help_suggestion_is_listed_and_promoted(staff_client, staff, support_request, skill):
    ana = donor_named("Ana Able", skill)
    suggestion = services.offer_help(request=support_request, donor=ana)
    url = candidates_url(support_request)

    page = staff_client.get(url)

    assert "Said “I can help”" in page.text
    assert page.context["counts"] == {"accepted": 0, "waiting": 0, "suggested": 1}
    response = staff_client.post(url, {"action": "promote", "match": suggestion.pk})

    assert follow_messages(staff_client, response) == ["Proposed: Ana Able."]
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.proposed_by) == (MatchStatus.PROPOSED, staff)

    again = staff_client.post(url, {"action": "promote", "match": suggestion.pk})

    assert follow_messages(staff_client, again) == [
        "Not proposed: Ana Able. This match is proposed; only a suggestion can be proposed."
    ]


def test_withdraw_a_suggestion_and_refuse_withdrawing_an_accepted_helper(
    staff_client, staff, support_request, skill
):
    ana = donor_named("Ana Able", skill)
    bo = donor_named("Bo Busy", skill)
    suggestion = services.offer_help(request=support_request, donor=ana)
    accepted = services.accept_match(
        services.propose_match(request=support_request, donor=bo, by=staff), by=bo.user
    )
    url = candidates_url(support_request)

    response = staff_client.post(url, {"action": "withdraw", "match": suggestion.pk})
    assert follow_messages(staff_client, response) == ["Withdrawn: Ana Able."]
    refused = staff_client.post(url, {"action": "withdraw", "match": accepted.pk})

    assert follow_messages(staff_client, refused) == [
        "Not withdrawn: Bo Busy. This match is accepted; only suggestions and proposals are "
        "withdrawn here."
    ]
    suggestion.refresh_from_db()
    accepted.refresh_from_db()
    assert (suggestion.status, accepted.status) == (MatchStatus.WITHDRAWN, MatchStatus.ACCEPTED)


def test_match_of_another_request_or_unknown_action_is_400(staff_client, support_request, skill):
    other = Match.objects.create(
        request=SupportRequestFactory(), donor=donor_named("Ana Able", skill)
    )
    url = candidates_url(support_request)

    forged = staff_client.post(url, {"action": "withdraw", "match": other.pk})
    unknown = staff_client.post(url, {"action": "delete-everything"})

    assert forged.status_code == 400
    assert "This match is not one of this request&#x27;s." in forged.text
    assert unknown.status_code == 400
    assert "Unknown action." in unknown.text
    other.refresh_from_db()
    assert other.status == MatchStatus.SUGGESTED


@pytest.mark.parametrize("value", ["", "abc", "-1", "99999999999999999999999", "\uff11"])
@pytest.mark.parametrize("action", ["reject", "promote", "withdraw"])
def test_moves_with_a_bad_id_are_400_and_change_nothing(
    staff_client, support_request, skill, action, value
):
    suggestion = services.offer_help(request=support_request, donor=donor_named("Ana", skill))
    field = "donor" if action == "reject" else "match"

    response = staff_client.post(candidates_url(support_request), {"action": action, field: value})

    assert response.status_code == 400
    assert 'id="action-errors"' in response.text
    assert CandidateRejection.objects.count() == 0
    assert Match.objects.get().status == suggestion.status == MatchStatus.SUGGESTED


def test_closed_request_shows_matches_and_no_candidates(staff_client, support_request, skill):
    donor_named("Ana Able", skill)
    support_request.status = "filled"
    support_request.save()

    response = staff_client.get(candidates_url(support_request))

    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "This request is not open: no one can be proposed for it." in response.text


# --- who may see and act --------------------------------------------------------------------


def without_csrf(response):
    """The body with the CSRF token (masked anew for every response) blanked."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_confidential_request_is_404_like_a_missing_one_for_staff_without_permission(
    staff_client, staff, skill
):
    secret = SupportRequestFactory(
        title="SECRETREQUEST", fight__visibility="confidential", fight__title="SECRETFIGHT"
    )
    RequestSkillFactory(request=secret, skill=skill)
    missing = staff_client.get("/staff/matching/requests/999999/candidates/")

    hidden = staff_client.get(candidates_url(secret))
    posted = staff_client.post(candidates_url(secret), {"action": "propose", "donor": []})

    assert hidden.status_code == posted.status_code == missing.status_code == 404
    assert without_csrf(hidden) == without_csrf(missing)
    assert "SECRET" not in staff_client.get(QUEUE).text

    staff.user_permissions.add(Permission.objects.get(codename="view_confidential_fight"))
    allowed = staff_client.get(candidates_url(secret))

    assert allowed.status_code == 200
    assert "Confidential fight" in allowed.text


def test_staff_without_change_match_sees_but_cannot_act(client, support_request, skill):
    ana = donor_named("Ana Able", skill)
    viewer = StaffFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_match"))
    client.force_login(viewer)

    page = client.get(candidates_url(support_request))
    post = client.post(candidates_url(support_request), {"action": "propose", "donor": [ana.pk]})

    assert page.status_code == 200
    assert "Propose selected" not in page.text
    assert post.status_code == 403
    assert Match.objects.count() == 0


def test_staff_group_may_review():
    group = Group.objects.get(name="Staff")

    codenames = set(
        group.permissions.filter(content_type__app_label="matching").values_list(
            "codename", flat=True
        )
    )

    assert codenames == {"view_match", "change_match", "view_candidaterejection"}


# --- the review queue -----------------------------------------------------------------------


def open_request(title, days, helpers=1, **fields):
    return SupportRequestFactory(
        title=title,
        needed_by=timezone.localdate() + datetime.timedelta(days=days),
        helpers_needed=helpers,
        **fields,
    )


def queue_titles(response):
    return [item.title for item in response.context["page"].object_list]


def test_queue_lists_critical_requests_nobody_accepted_first(staff_client, staff, skill):
    soon = open_request("Soon flyers", 5)
    staffed = open_request("Staffed critical", 1)
    unstaffed = open_request("Unstaffed critical", 2)
    open_request("Draft", 1, status="draft")
    donor = donor_named("Ana Able", skill)
    RequestSkillFactory(request=staffed, skill=skill)
    services.accept_match(
        services.propose_match(request=staffed, donor=donor, by=staff), by=donor.user
    )

    response = staff_client.get(QUEUE)

    assert response.status_code == 200
    assert queue_titles(response) == ["Unstaffed critical", "Staffed critical", "Soon flyers"]
    assert "Attention: 1 critical request has nobody accepted yet." in response.text
    assert response.text.count("⚠ Nobody accepted yet") == 1
    assert f'href="{candidates_url(unstaffed)}"' in response.text
    assert f'href="{candidates_url(soon)}"' in response.text
    assert "1 of 1" in response.text


def test_queue_views_not_proposed_not_accepted_and_expired(staff_client, staff, skill):
    now = timezone.now()
    fresh = open_request("Fresh proposal", 10)
    late = open_request("Late proposal", 10)
    lapsed = open_request("Lapsed proposal", 10)
    untouched = open_request("Untouched", 10)
    for support_request, hours_ago in ((fresh, 1), (late, 30), (lapsed, 60)):
        Match.objects.create(
            request=support_request,
            donor=donor_named(f"Donor for {support_request.title}", skill),
            status=MatchStatus.PROPOSED,
            proposed_at=now - datetime.timedelta(hours=hours_ago),
            expires_at=now - datetime.timedelta(hours=hours_ago) + datetime.timedelta(hours=48),
        )
    services.expire_matches(now=now)

    def view(name):
        return sorted(queue_titles(staff_client.get(QUEUE, {"view": name})))

    assert view("all") == ["Fresh proposal", "Lapsed proposal", "Late proposal", "Untouched"]
    assert view("not_proposed") == ["Lapsed proposal", "Untouched"]
    assert view("not_accepted") == ["Late proposal"]
    late_page = staff_client.get(QUEUE, {"view": "not_accepted"})
    (item,) = late_page.context["page"].object_list
    assert (item.late, item.waiting) == (1, 1)
    assert item.next_due == Match.objects.get(request=late).expires_at
    assert view("expired") == ["Lapsed proposal"]
    assert untouched.pk


def test_queue_declined_proposals_show_in_the_expired_view(staff_client, staff, skill):
    support_request = open_request("Declined once", 10)
    RequestSkillFactory(request=support_request, skill=skill)
    donor = donor_named("Ana Able", skill)
    services.decline_match(
        services.propose_match(request=support_request, donor=donor, by=staff), by=donor.user
    )

    response = staff_client.get(QUEUE, {"view": "expired"})

    assert queue_titles(response) == ["Declined once"]
    assert "0 / 1" in response.text


@pytest.mark.parametrize("value", ["everything", "\x00", "ALL"])
def test_queue_bad_view_is_400_with_message(staff_client, value):
    response = staff_client.get(QUEUE, {"view": value})

    assert response.status_code == 400
    assert "Choose one of the tabs above." in response.text


def test_queue_and_candidates_need_staff(client, volunteer, support_request):
    client.force_login(volunteer)

    for url in (QUEUE, candidates_url(support_request)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


# --- query counts --------------------------------------------------------------------------


def queue_rows(count, skill, staff):
    for number in range(count):
        support_request = open_request(f"Request {number}", 1 + number)
        RequestSkillFactory(request=support_request, skill=skill)
        RequestSkillFactory(request=support_request, required=False)
        services.propose_match(
            request=support_request, donor=donor_named(f"Donor {number}", skill), by=staff
        )
    open_request("Hidden", 1, fight=FightFactory(visibility="confidential"))


@pytest.mark.parametrize("count", [1, 3])
def test_queue_query_count_is_constant(
    staff_client, staff, skill, django_assert_num_queries, count
):
    queue_rows(count, skill, staff)
    ContentType.objects.clear_cache()

    with django_assert_num_queries(7):
        response = staff_client.get(QUEUE)

    assert len(queue_titles(response)) == count


def candidate_pool(count, support_request, skill, staff):
    for number in range(count):
        donor_named(f"Candidate {number}", skill)
    other = SupportRequestFactory()
    RequestSkillFactory(request=other, skill=skill)
    for number in range(count):
        services.offer_help(request=support_request, donor=donor_named(f"Helper {number}", skill))
        services.propose_match(
            request=support_request, donor=donor_named(f"Proposed {number}", skill), by=staff
        )


@pytest.mark.parametrize("count", [1, 3])
def test_candidates_page_query_count_is_constant(
    staff_client, staff, support_request, skill, django_assert_num_queries, count
):
    candidate_pool(count, support_request, skill, staff)
    ContentType.objects.clear_cache()

    with django_assert_num_queries(14):
        response = staff_client.get(
            candidates_url(support_request), {"on_call": "", "min_level": "1"}
        )

    assert len(response.context["rows"]) == count
    assert sum(len(m) for _, m in response.context["matches_by_status"]) == 2 * count


# --- admin links and the match history -------------------------------------------------------


def test_request_admin_links_to_candidates(staff_client, support_request):
    url = candidates_url(support_request)

    changelist = staff_client.get("/admin/fights/supportrequest/")
    change = staff_client.get(f"/admin/fights/supportrequest/{support_request.pk}/change/")
    index = staff_client.get("/admin/")

    assert f'<a href="{url}">Candidates</a>' in changelist.text
    assert f'href="{url}">Candidates and matches</a>' in change.text
    assert 'href="/staff/matching/queue/"' in index.text


def test_match_admin_is_a_donors_match_history(staff_client, staff, skill):
    ana = donor_named("Ana Able", skill)
    mine = Match.objects.create(request=SupportRequestFactory(title="Ana's request"), donor=ana)
    Match.objects.create(
        request=SupportRequestFactory(title="SECRET request", fight__visibility="confidential"),
        donor=ana,
    )
    Match.objects.create(request=SupportRequestFactory(title="Other's"), donor=DonorFactory())

    response = staff_client.get(
        reverse("admin:matching_match_changelist"), {"donor__id__exact": ana.pk}
    )

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [mine]
    assert "Match history of Ana Able" in response.text
    assert "SECRET" not in response.text
    assert "column-fight" in response.text


@pytest.mark.parametrize("count", [1, 3])
def test_match_history_query_count_is_constant(
    staff_client, skill, django_assert_num_queries, count
):
    ana = donor_named("Ana Able", skill)
    for _ in range(count):
        Match.objects.create(request=SupportRequestFactory(), donor=ana)
    ContentType.objects.clear_cache()

    # 8 before a staff member's permissions came in one query (accounts.queries)
    with django_assert_num_queries(6):
        response = staff_client.get("/admin/matching/match/", {"donor__id__exact": ana.pk})

    assert response.context["cl"].result_count == count
