import os

import pytest
from django.core.cache import cache

from tests.factories import DonorFactory, DonorLanguageFactory, DonorSkillFactory, UserFactory


def require(condition, reason: str) -> None:
    """Skip the calling test or fixture when `condition` is falsy; under CI=true, fail it instead.

    For browser and integration tests that need a piece the machine may lack (Chromium, Redis,
    a worker): on a laptop they skip with `reason`, but in CI (.ci/run sets CI=true) a green run
    must mean the real thing ran, so the same test fails. Call it directly
    (`from tests.conftest import require`) or take the session-scoped `require` fixture:

        require(Path("/usr/bin/chromium").exists(), "Chromium missing: apt-get install chromium")
    """
    if condition:
        return
    if os.environ.get("CI", "").lower() in {"true", "1"}:
        pytest.fail(f"CI=true, so this cannot be skipped: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session", name="require")
def require_fixture():
    return require


def _uses_database(request) -> bool:
    return bool(request.node.get_closest_marker("django_db")) or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def _clear_cache(request):
    """Rate-limit counters live in the (database) cache; no test may inherit another's."""
    if not _uses_database(request):
        yield
        return
    request.getfixturevalue(
        "db" if "transactional_db" not in request.fixturenames else "transactional_db"
    )
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(db):
    """Verified, signed up, no volunteer profile yet."""
    return UserFactory()


@pytest.fixture
def unverified_user(db):
    return UserFactory(verified=False)


def make_volunteer(**kwargs):
    donor = DonorFactory(**kwargs)
    DonorSkillFactory(donor=donor, level=2)
    DonorSkillFactory(donor=donor, level=3)
    DonorLanguageFactory(donor=donor, code="en")
    DonorLanguageFactory(donor=donor, code="es")
    return donor


@pytest.fixture
def volunteer(db):
    return make_volunteer().user


@pytest.fixture
def other_volunteer(db):
    return make_volunteer().user


@pytest.fixture
def staff(db):
    """A non-superuser staff member in the Staff group that migration creates."""
    from django.contrib.auth.models import Group

    member = UserFactory(is_staff=True)
    member.groups.add(Group.objects.get(name="Staff"))
    return member


@pytest.fixture(autouse=True)
def _broker_reachable():
    """A test that simulates a broker outage must not make later tests skip publishing."""
    from notifications.services import reset_broker_state

    reset_broker_state()
    yield
    reset_broker_state()


@pytest.fixture
def profile_editor(db):
    """A staff member who may also correct volunteer profiles (the Profile editors group)."""
    from django.contrib.auth.models import Group

    member = UserFactory(is_staff=True)
    member.groups.add(Group.objects.get(name="Staff"), Group.objects.get(name="Profile editors"))
    return member


def pytest_collection_modifyitems(items):
    """Every transactional test restores the migrated data (`serialized_rollback=True`); its
    flush at the end then leaves an empty database for the next one to restore into. A test
    flushed without it has post_migrate re-create the content types under new ids, and a later
    restore fails on them (IntegrityError on django_content_type), so the suite's result would
    depend on the order tests run in (mutmut's one-process runs hit it)."""
    unserialized = [
        item.nodeid
        for item in items
        if (marker := item.get_closest_marker("django_db"))
        and marker.kwargs.get("transaction")
        and not marker.kwargs.get("serialized_rollback")
    ]
    if unserialized:
        raise pytest.UsageError(
            "Transactional tests need serialized_rollback=True (see tests/conftest.py): "
            + ", ".join(unserialized)
        )
