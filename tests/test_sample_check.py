"""The sample's own oracle: `scripts/build_sample_data.py --check` re-reads data/sample/ and must pass.

The script reads the files independently of etl/ (pandas/openpyxl) and fails on a missing or repeated
key, a stock that falls where none should, a broken year-to-date series, a moved published anchor, or a
target status that differs from data/sample/README.md's two tables. The expected lines below are
written from that README, not from running the script.
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_the_sample_check_passes_and_prints_the_readmes_statuses() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "build_sample_data.py"), "--check"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout
    # README: 5,949 keys, 11 blank on purpose; 27 quarters to 2026Q3 and 6 years to 2025
    assert "5949 expected keys" in result.stdout and "5949 found" in result.stdout
    assert "11 deliberately blank" in result.stdout
    earlier, latest = result.stdout.split("target statuses as of 2025Q3:")[1].split(
        "target statuses as of 2026Q3:"
    )
    assert "counts: 4 achieved 已完成, 2 missed 未完成, 2 behind 滞后, 1 severely_behind 严重滞后" in earlier
    assert "counts: 5 achieved 已完成, 4 missed 未完成" in latest
    assert (
        "digital_workshops@140000:2022 >=100: missed 未完成" in latest
        and "reached later, in 2026Q2" in latest
    )
