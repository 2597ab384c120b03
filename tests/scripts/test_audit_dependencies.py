"""The dependency audit's judgement of one package from PyPI's project JSON.

The project JSON below is written by hand in the shape PyPI serves (`info.version`, `vulnerabilities`
with `id`, `aliases`, `fixed_in`, `withdrawn`); the audit of the real environment runs in `make test`.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from tests.conftest import REPO_ROOT


def _audit_module() -> ModuleType:
    path = REPO_ROOT / "scripts" / "audit_dependencies.py"
    spec = importlib.util.spec_from_file_location("audit_dependencies", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


audit = _audit_module()
ADVISORY = {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-0001"], "fixed_in": ["2.0.1"], "withdrawn": None}


def test_the_latest_release_without_advisories_is_audited_clean() -> None:
    finding = audit.assess("demo", "2.0.0", {"info": {"version": "2.0.0"}, "vulnerabilities": []})
    assert (finding.status, finding.advisories) == ("audited", [])


def test_an_advisory_on_the_installed_latest_release_makes_it_vulnerable() -> None:
    finding = audit.assess("demo", "2.0.0", {"info": {"version": "2.0.0"}, "vulnerabilities": [ADVISORY]})
    assert finding.status == "vulnerable"
    assert finding.advisories == ["PYSEC-2099-1 (CVE-2099-0001; fixed in 2.0.1)"]


def test_a_withdrawn_advisory_does_not_count() -> None:
    withdrawn = {**ADVISORY, "withdrawn": "2099-02-01T00:00:00Z"}
    finding = audit.assess("demo", "2.0.0", {"info": {"version": "2.0.0"}, "vulnerabilities": [withdrawn]})
    assert finding.status == "audited"


def test_an_older_release_is_outdated_because_its_own_advisories_are_not_served() -> None:
    """1.9 < 2.0.0: the latest release's advisories say nothing certain about 1.9."""
    finding = audit.assess("demo", "1.9", {"info": {"version": "2.0.0"}, "vulnerabilities": [ADVISORY]})
    assert (finding.status, finding.latest, finding.advisories) == ("outdated", "2.0.0", [])


def test_equal_versions_are_compared_as_versions_not_strings() -> None:
    finding = audit.assess("demo", "2.0", {"info": {"version": "2.0.0"}, "vulnerabilities": []})
    assert finding.status == "audited"


def test_no_answer_from_pypi_is_reported_as_unreachable_and_is_not_a_failure() -> None:
    finding = audit.assess("demo", "2.0.0", None)
    assert finding.status == "unreachable"
    assert "unreachable 1" in audit.render([finding])
