"""The `dem` command line: thin wrappers that call app.services and print their results."""

from __future__ import annotations

from app.cli.main import cli


def main() -> None:
    cli()


__all__ = ["cli", "main"]
