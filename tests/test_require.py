"""The skip-or-fail helper browser and integration tests use for missing pieces."""

import pytest

from tests.conftest import require


def test_require_condition_met_returns_quietly(monkeypatch):
    monkeypatch.setenv("CI", "true")

    assert require("/usr/bin/chromium", "Chromium missing") is None


def test_require_missing_piece_skips_locally(monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception) as skipped:
        require(None, "Chromium missing")

    assert skipped.value.msg == "Chromium missing"


def test_require_missing_piece_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception) as failed:
        require(False, "Redis down")

    assert failed.value.msg == "CI=true, so this cannot be skipped: Redis down"
