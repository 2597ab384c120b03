"""Operator commands on a database that was never initialised, and passwords kept off the command line.

Attack that this reproduces: `dem catalog` on a database that was never initialised created an empty
DuckDB file and printed a traceback; `dem user add --password …` showed the password in `ps`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.services import accounts
from app.store.engine import make_engine
from tests.conftest import empty_database

runner = CliRunner()
READ_COMMANDS = [
    ["catalog"],
    ["uploads"],
    ["progress", "--json"],
    ["user", "list"],
    ["locks"],
    ["audit"],
    ["publish", "1"],
    ["backup", "-o", "unused.zip"],
]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=" ".join)
def test_commands_on_a_missing_duckdb_file_say_init_and_create_nothing(
    command: list[str], tmp_path: Path
) -> None:
    target = tmp_path / "never" / "dem.duckdb"
    result = runner.invoke(cli, command, env={"DEM_DATABASE_URL": f"duckdb:///{target}"})
    assert result.exit_code == 1, result.output
    assert "数据库尚未初始化" in result.output and "dem init" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not target.exists() and not target.parent.exists()


@pytest.mark.parametrize("command", [["catalog"], ["uploads"], ["progress", "--json"]], ids=" ".join)
def test_commands_on_an_empty_postgresql_schema_say_init(command: list[str], tmp_path: Path) -> None:
    with empty_database("postgresql", tmp_path) as url:
        result = runner.invoke(cli, command, env={"DEM_DATABASE_URL": url})
    assert result.exit_code == 1 and "数据库尚未初始化" in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_user_add_reads_the_password_from_stdin_and_never_from_an_argument(database_url: str) -> None:
    env = {"DEM_DATABASE_URL": database_url, "DEM_ADMIN_PASSWORD": "first-operator-secret"}
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    secret = "stdin-only-passphrase-7"
    added = runner.invoke(
        cli, ["user", "add", "tj", "--role", "bureau", "--password-stdin"], input=secret + "\n", env=env
    )
    assert added.exit_code == 0, added.output
    assert secret not in added.output
    engine = make_engine(database_url)
    assert accounts.login(engine=engine, username="tj", password=secret, address="127.0.0.1") is not None
    as_argument = runner.invoke(cli, ["user", "add", "x", "--role", "leader", "--password", secret], env=env)
    assert (
        as_argument.exit_code == 2 and "No such option" in as_argument.output
    )  # refused before anything runs
    empty = runner.invoke(cli, ["user", "passwd", "tj", "--password-stdin"], input="\n", env=env)
    assert empty.exit_code == 1 and "没有密码" in empty.output
    changed = runner.invoke(
        cli, ["user", "passwd", "tj", "--password-stdin"], input="another-passphrase-8\n", env=env
    )
    assert changed.exit_code == 0, changed.output
    assert accounts.login(engine=engine, username="tj", password="another-passphrase-8", address="127.0.0.1")
    prompted = runner.invoke(
        cli, ["user", "add", "yy", "--role", "leader"], input="typed-passphrase-9\n" * 2, env=env
    )
    assert prompted.exit_code == 0 and "typed-passphrase-9" not in prompted.output  # the prompt does not echo
    engine.dispose()
