"""Settings: read from DEM_* variables, and every one of them documented."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.config import DEFAULT_DATABASE_URL, Settings
from tests.conftest import REPO_ROOT


def test_every_setting_is_documented_in_configuration_md() -> None:
    doc = (REPO_ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`DEM_{name.upper()}`" in doc, name


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEM_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    assert Settings().database_url.startswith("postgresql+psycopg")
    assert not Settings().is_duckdb
    monkeypatch.delenv("DEM_DATABASE_URL")
    assert Settings(_env_file=None).database_url == DEFAULT_DATABASE_URL


@pytest.mark.parametrize("value", ["-1", "five", "1e99", ""])
def test_a_page_warm_interval_that_is_not_a_count_of_seconds_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """DEM_PAGE_WARM_SECONDS: 0 turns the warm-up off; anything negative or not a whole number stops
    the service at start-up with the setting's name, rather than scheduling a job that cannot run."""
    monkeypatch.setenv("DEM_PAGE_WARM_SECONDS", value)
    with pytest.raises(ValidationError, match="page_warm_seconds"):
        Settings()
    monkeypatch.setenv("DEM_PAGE_WARM_SECONDS", "0")
    assert Settings().page_warm_seconds == 0
