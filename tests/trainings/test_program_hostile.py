"""Cohort applications, ideas for sessions, the directory and its filter, and staff's review,
fed hostile text (the helpers of tests/test_hostile_forms.py): a refusal or a success, never a
5xx; and what was stored is what the form's own rules accept."""

from django.contrib.auth.models import Group
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.factories import ApplicationFactory, CohortProgramFactory, SkillFactory, UserFactory
from tests.test_hostile_forms import EXAMPLES, FEWER, encoded, hostile_text, with_hostile
from trainings.models import Application, ApplicationReview, DirectoryEntry, SessionIdea
from trainings.program_forms import ApplicationForm, SessionIdeaForm

GOOD_APPLICATION = {
    "statement": "I run our local's page.",
    "background": "Steward.",
    "organization": "Local 9",
    "commits_training_days": "on",
    "availability_notes": "",
    "gender": "prefer_not",
    "age_range": "",
    "lgbtq": "",
    "person_of_color": "no",
}


class HostileProgramFormsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.program = CohortProgramFactory(slug="hostile-cohort")
        cls.skill = SkillFactory()
        cls.staff = UserFactory(is_staff=True)
        cls.staff.groups.add(Group.objects.get(name="Staff"))

    def post(self, url, data, *, as_user):
        self.client.force_login(as_user)
        response = self.client.post(
            url, encoded(data), content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code < 500, (url, data)
        return response

    @EXAMPLES
    @given(data=st.data())
    def test_apply(self, data):
        user = UserFactory()
        self.post(
            "/trainings/hostile-cohort/apply/",
            with_hostile(data, GOOD_APPLICATION),
            as_user=user,
        )
        for application in Application.objects.filter(user=user):
            stored = {
                name: getattr(application, name)
                for name in ApplicationForm.Meta.fields
                if not name.startswith("commits")
            }
            form = ApplicationForm(data={**stored, "commits_training_days": "on"})
            assert form.is_valid(), form.errors

    @EXAMPLES
    @given(data=st.data())
    def test_propose_idea(self, data):
        user = UserFactory()
        good = {"kind": "offer", "skill": str(self.skill.pk), "title": "Video", "description": ""}
        self.post("/trainings/ideas/", with_hostile(data, good), as_user=user)
        for idea in SessionIdea.objects.filter(user=user):
            form = SessionIdeaForm(
                data={
                    "kind": idea.kind,
                    "skill": idea.skill_id,
                    "title": idea.title,
                    "description": idea.description,
                }
            )
            assert form.is_valid(), form.errors

    @EXAMPLES
    @given(data=st.data())
    def test_directory_entry(self, data):
        user = UserFactory()
        good = {"action": "join", "headline": "Video", "consent": "on"}
        self.post("/trainings/directory/me/", with_hostile(data, good), as_user=user)
        for entry in DirectoryEntry.objects.filter(user=user):
            assert "\x00" not in entry.headline and len(entry.headline) <= 200

    @EXAMPLES
    @given(region=hostile_text, skill=hostile_text)
    def test_directory_filter(self, region, skill):
        self.client.force_login(self.staff)
        query = encoded({"region": region, "skill": skill})
        response = self.client.get("/trainings/directory/?" + query)
        assert response.status_code in (200, 400)

    @FEWER
    @given(data=st.data())
    def test_admin_review(self, data):
        application = ApplicationFactory(training=self.program)
        good = {"my_score": "4", "my_notes": "Clear plan", "decision_message": ""}
        hostile = with_hostile(data, good)
        hostile |= {"reviews-TOTAL_FORMS": "0", "reviews-INITIAL_FORMS": "0"}
        url = f"/admin/trainings/application/{application.pk}/change/"
        self.post(url, hostile, as_user=self.staff)
        for review in ApplicationReview.objects.filter(application=application):
            assert 1 <= review.score <= 5
            assert "\x00" not in review.notes
