"""Settings: read from DEM_* variables, and every one of them documented."""

from __future__ import annotations

import pytest

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
