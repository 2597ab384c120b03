"""Load the sample uploads through the same path a bureau's file takes (stage, then publish)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from app.auth.policy import system_actor
from app.services import uploads as upload_service
from etl.readers import ACCEPTED_SUFFIXES
from indicators.model import Plan

SAMPLE_USER = "sample"
#: Why the sample revision file revises published values (data/sample/README.md, 已知问题 2): a
#: revision needs a reason, and the sample's is the one its README gives.
SAMPLE_REASONS = {
    "2025Q3_统计局_数字经济主要指标_修订.csv": "企业归属地由晋中市调整为太原市；晋城市补报一家漏统企业",
}


@dataclass(frozen=True)
class SampleOutcome:
    file_name: str
    status: str
    values: int
    warnings: int


def sample_files(sample_dir: Path) -> list[Path]:
    """Top-level sample uploads in name order (broken examples live in a subfolder and are skipped)."""
    return sorted(p for p in sample_dir.glob("*") if p.is_file() and p.suffix.lower() in ACCEPTED_SUFFIXES)


def load_samples(
    *,
    engine: sa.Engine,
    plan: Plan,
    sample_dir: Path,
    archive_dir: Path | None = None,
    on_file: Callable[[SampleOutcome], None] | None = None,
) -> list[SampleOutcome]:
    """Stage and publish every sample file; already-loaded files are recognised and skipped.

    The samples carry deliberate warnings (a revision, a city-sum gap), so they are confirmed here,
    as the bureau would after reading them; the revision is published with its documented reason.
    """
    outcomes = []
    for path in sample_files(sample_dir):
        staged = upload_service.stage_upload(
            engine=engine, plan=plan, path=path, actor=system_actor(SAMPLE_USER), archive_dir=archive_dir
        )
        values = 0
        if staged.status == "staged":
            result = upload_service.publish_upload(
                engine=engine,
                upload_id=staged.upload_id or 0,
                actor=system_actor(SAMPLE_USER),
                confirm_warnings=True,
                reason=SAMPLE_REASONS.get(path.name),
            )
            values = result.published_values
        outcome = SampleOutcome(
            path.name,
            "published" if values or staged.status == "staged" else staged.status,
            values,
            len(staged.warnings),
        )
        outcomes.append(outcome)
        if on_file is not None:
            on_file(outcome)
    return outcomes
