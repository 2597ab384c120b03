"""Status colours and labels: the one place that says what 滞后 looks like, on every page.

Labels come from the progress engine (`indicators.progress.STATUS_LABELS`) so the dashboard, the
API and the briefs use the same words; colours are chosen here, with text colours that keep the
badge readable (WCAG AA contrast on each fill).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dashboard.formats import percent
from dashboard.i18n import Lang, pick, t
from indicators.progress import STATUS_LABELS, TREND_LABELS, Status


@dataclass(frozen=True, slots=True)
class StatusStyle:
    fill: str
    text: str


STATUS_ORDER: tuple[str, ...] = (
    Status.ACHIEVED,
    Status.AHEAD,
    Status.ON_TRACK,
    Status.BEHIND,
    Status.SEVERELY_BEHIND,
    Status.MISSED,
    Status.AWAITING_FINAL,
    Status.NO_DATA,
)
"""Good to bad, then not yet final (待期末数据), then no data: the order of counts and legends."""

STATUS_STYLES: dict[str, StatusStyle] = {
    Status.ACHIEVED: StatusStyle("#1b7f3b", "#ffffff"),
    Status.AHEAD: StatusStyle("#1f5fa8", "#ffffff"),
    Status.ON_TRACK: StatusStyle("#0f7d74", "#ffffff"),
    Status.BEHIND: StatusStyle("#f2b01e", "#1d1d1d"),
    Status.SEVERELY_BEHIND: StatusStyle("#c2410c", "#ffffff"),
    Status.MISSED: StatusStyle("#b3261e", "#ffffff"),
    Status.AWAITING_FINAL: StatusStyle("#5b4a9e", "#ffffff"),
    Status.NO_DATA: StatusStyle("#6c727d", "#ffffff"),
}

COMPLETENESS_COLORS: dict[str, str] = {
    "received": "#1b7f3b",
    "missing": "#f2b01e",
    "late": "#b3261e",
    "not_expected": "#eef0f3",
}


def status_style(status: str | None) -> StatusStyle:
    return STATUS_STYLES.get(str(status), STATUS_STYLES[Status.NO_DATA])


def status_label(status: str | None, lang: Lang) -> str:
    return pick(STATUS_LABELS.get(str(status), STATUS_LABELS[Status.NO_DATA]), lang)


def verdict_text(row: Mapping[str, Any], lang: Lang) -> str | None:
    """After the deadline, the verdict in place of a trend: 差0.8%未完成 / 2023年达到 (None otherwise)."""
    if not row.get("final"):
        return None
    if row.get("status") == Status.MISSED:
        margin = row.get("margin")
        return t("verdict_missed", lang, margin=percent(abs(float(margin)))) if margin is not None else None
    first = row.get("first_met_period")
    return t("verdict_achieved", lang, year=str(first)[:4]) if first else None


def provisional_text(row: Mapping[str, Any], lang: Lang) -> str | None:
    """For a target awaiting its final data: 暂判 正常 (the status its latest data give)."""
    if row.get("status") != Status.AWAITING_FINAL or not row.get("provisional_status"):
        return None
    return f"{t('provisional', lang)} {status_label(row.get('provisional_status'), lang)}"


def trend_label(trend: str | None, lang: Lang) -> str:
    if trend is None or str(trend) not in TREND_LABELS:
        return "—"
    return pick(TREND_LABELS[str(trend)], lang)
