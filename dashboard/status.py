"""Status colours and labels: the one place that says what 滞后 looks like, on every page.

Labels come from the progress engine (`indicators.progress.STATUS_LABELS`) so the dashboard, the
API and the briefs use the same words; colours are chosen here, with text colours that keep the
badge readable (WCAG AA contrast on each fill).
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.i18n import Lang, pick
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
    Status.NO_DATA,
)
"""Good to bad, then no data: the order of counts and legends."""

STATUS_STYLES: dict[str, StatusStyle] = {
    Status.ACHIEVED: StatusStyle("#1b7f3b", "#ffffff"),
    Status.AHEAD: StatusStyle("#1f5fa8", "#ffffff"),
    Status.ON_TRACK: StatusStyle("#0f7d74", "#ffffff"),
    Status.BEHIND: StatusStyle("#f2b01e", "#1d1d1d"),
    Status.SEVERELY_BEHIND: StatusStyle("#c2410c", "#ffffff"),
    Status.MISSED: StatusStyle("#b3261e", "#ffffff"),
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


def trend_label(trend: str | None, lang: Lang) -> str:
    if trend is None or str(trend) not in TREND_LABELS:
        return "—"
    return pick(TREND_LABELS[str(trend)], lang)
