"""Audit the installed Python packages against the advisories PyPI publishes.

pip-audit asks PyPI for each release's JSON (`/pypi/NAME/VERSION/json`); the registry these machines
reach answers only the project JSON (`/pypi/NAME/json`), so pip-audit reports every package as "not
found on PyPI" and audits nothing, and OSV (its other source) is not reachable at all. The project JSON
carries the advisories of the project's latest release. This audit uses exactly that: a package at its
latest release is audited; an older one is reported as outdated (its own advisories cannot be known
from here) with the release to move to. Exit status 1 when an installed release has an advisory.

    python scripts/audit_dependencies.py [--timeout 10] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from importlib import metadata
from typing import Any

import httpx
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

PYPI_PROJECT_URL = "https://pypi.org/pypi/{name}/json"
OWN_DISTRIBUTION = "digital-economy-monitor"


@dataclass(frozen=True)
class Finding:
    """What the audit can say about one installed distribution."""

    name: str
    installed: str
    status: str  # audited | vulnerable | outdated | unreachable
    latest: str | None = None
    advisories: list[str] = field(default_factory=list)


def assess(name: str, installed: str, project: Mapping[str, Any] | None) -> Finding:
    """Judge one distribution from its project JSON (None when PyPI did not answer).

    Withdrawn advisories do not count. A release newer than PyPI's latest (a pre-release, a local
    build) is audited against the latest release's advisories only if it is that release.
    """
    if project is None:
        return Finding(name, installed, "unreachable")
    latest = str(project.get("info", {}).get("version", ""))
    if not _same_release(installed, latest):
        return Finding(name, installed, "outdated", latest=latest)
    advisories = [
        _advisory_label(entry) for entry in project.get("vulnerabilities") or [] if not entry.get("withdrawn")
    ]
    return Finding(name, installed, "vulnerable" if advisories else "audited", latest, advisories)


def _same_release(installed: str, latest: str) -> bool:
    try:
        return Version(installed) == Version(latest)
    except InvalidVersion:
        return installed == latest


def _advisory_label(entry: Mapping[str, Any]) -> str:
    fixed = ", ".join(entry.get("fixed_in") or []) or "no fix yet"
    aliases = ", ".join(entry.get("aliases") or [])
    label = str(entry.get("id", "?"))
    return f"{label} ({aliases}; fixed in {fixed})" if aliases else f"{label} (fixed in {fixed})"


def installed_distributions() -> dict[str, str]:
    """Every distribution in this environment except the project itself, by canonical name."""
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = canonicalize_name(dist.metadata["Name"] or "")
        if name and name != OWN_DISTRIBUTION:
            found[name] = dist.version
    return dict(sorted(found.items()))


def fetch_project(client: httpx.Client, name: str) -> dict[str, Any] | None:
    try:
        response = client.get(PYPI_PROJECT_URL.format(name=name))
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    payload: dict[str, Any] = response.json()
    return payload


def audit(distributions: Mapping[str, str], *, timeout: float) -> list[Finding]:
    with httpx.Client(timeout=timeout, follow_redirects=True) as client, ThreadPoolExecutor(8) as pool:
        projects = pool.map(lambda name: fetch_project(client, name), distributions)
        return [
            assess(name, version, project)
            for (name, version), project in zip(distributions.items(), projects, strict=True)
        ]


def render(findings: Iterable[Finding]) -> str:
    findings = list(findings)
    lines = [f"{'package':<28} {'installed':<14} {'status':<12} detail"]
    for item in findings:
        detail = "; ".join(item.advisories) if item.advisories else ""
        if item.status == "outdated":
            detail = f"latest is {item.latest}: advisories of {item.installed} cannot be checked here"
        lines.append(f"{item.name:<28} {item.installed:<14} {item.status:<12} {detail}".rstrip())
    counts: dict[str, int] = {}
    for item in findings:
        counts[item.status] = counts.get(item.status, 0) + 1
    lines.append("summary: " + ", ".join(f"{status} {n}" for status, n in sorted(counts.items())))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    args = parser.parse_args(argv)
    findings = audit(installed_distributions(), timeout=args.timeout)
    if args.json:
        sys.stdout.write(json.dumps([asdict(item) for item in findings], ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render(findings))
    return 1 if any(item.status == "vulnerable" for item in findings) else 0


if __name__ == "__main__":
    sys.exit(main())
