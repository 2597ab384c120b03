"""What the 数据上报 page draws: the validation report, the diff, publish controls, the history.

Pure rendering from the upload service's results (`StageResult`, the upload rows), so the page's
callbacks stay a few lines each and tests can check a report table without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from app.services.uploads import StageResult
from dashboard import ids
from dashboard.components import table
from dashboard.formats import beijing_time, number, period_label
from dashboard.i18n import LABELS, Lang, name_of, t
from etl.report import ErrorCode, RowIssue
from indicators.model import Plan

MAX_ISSUES_SHOWN = 200
STATUS_COLORS = {"staged": "info", "published": "success", "rejected": "secondary", "rolled_back": "warning"}


def issue_type(code: str, lang: Lang) -> Component:
    """The issue's kind as people say it; the stable code stays in the tooltip for support."""
    key = f"issue_{code}"
    return html.Span(t(key, lang) if key in LABELS else code, title=code, className="issue-type")


def issues_table(issues: Sequence[RowIssue], lang: Lang, *, table_id: str) -> Component:
    """Every problem with its sheet, Excel row and column, code and message (Chinese by default)."""
    rows = [
        {
            "sheet": issue.sheet or "—",
            "row": issue.row if issue.row is not None else "—",
            "column": issue.column or "—",
            "code": issue_type(str(issue.code), lang),
            "message": issue.message_en if lang == "en" else issue.message_zh,
        }
        for issue in list(issues)[:MAX_ISSUES_SHOWN]
    ]
    columns = [
        ("sheet", t("sheet", lang)),
        ("row", t("row", lang)),
        ("column", t("column", lang)),
        ("code", t("code", lang)),
        ("message", t("message", lang)),
    ]
    return table(columns, rows, table_id=table_id, numeric=["row"], nowrap=["sheet", "code"])


def diff_panel(result: StageResult, plan: Plan, lang: Lang) -> Component:
    """New, revised and unchanged counts, and each revision's old and new value."""
    diff = result.diff
    counts = html.Div(
        [
            html.Span([t("diff_new", lang), " ", html.B(f"{diff.new:,}")], className="diff-count"),
            html.Span([t("diff_revised", lang), " ", html.B(f"{diff.revised:,}")], className="diff-count"),
            html.Span(
                [t("diff_unchanged", lang), " ", html.B(f"{diff.unchanged:,}")], className="diff-count"
            ),
        ],
        className="diff-counts",
    )
    names = {i.code: (name_of(i, lang), i.unit) for i in plan.indicators}
    regions = {r.code: name_of(r, lang) for r in plan.regions}
    rows = [
        {
            "indicator": names.get(r["indicator"], (r["indicator"], ""))[0],
            "region": regions.get(r["region"], r["region"]),
            "period": period_label(r["period"], lang),
            "old": number(r["old_value"], names.get(r["indicator"], ("", ""))[1]),
            "new": number(r["value"], names.get(r["indicator"], ("", ""))[1]),
        }
        for r in diff.revisions
    ]
    columns = [
        ("indicator", t("indicator", lang)),
        ("region", t("region", lang)),
        ("period", t("period", lang)),
        ("old", t("old_value", lang)),
        ("new", t("new_value", lang)),
    ]
    parts: list[Component] = [html.H3(t("diff", lang), className="sub-title"), counts]
    if rows:
        parts.append(table(columns, rows, numeric=["old", "new"]))
    return html.Div(parts, id=ids.UPLOAD_DIFF)


def changes_panel(detail: Mapping[str, Any], plan: Plan, lang: Lang) -> Component:
    """What changed since the upload was staged: each value then, now, and what the upload sends."""
    names = {i.code: (name_of(i, lang), i.unit) for i in plan.indicators}
    regions = {r.code: name_of(r, lang) for r in plan.regions}
    rows = [
        {
            "indicator": names.get(c["indicator"], (c["indicator"], ""))[0],
            "region": regions.get(c["region"], c["region"]),
            "period": period_label(c["period"], lang),
            "then": number(c["staged_against"], names.get(c["indicator"], ("", ""))[1]),
            "now": number(c["published_now"], names.get(c["indicator"], ("", ""))[1]),
            "new": number(c["value"], names.get(c["indicator"], ("", ""))[1]),
        }
        for c in list(detail.get("changes", []))[:MAX_ISSUES_SHOWN]
    ]
    columns = [
        ("indicator", t("indicator", lang)),
        ("region", t("region", lang)),
        ("period", t("period", lang)),
        ("then", t("staged_against", lang)),
        ("now", t("published_now", lang)),
        ("new", t("new_value", lang)),
    ]
    diff = detail.get("diff", {})
    counts = html.Div(
        [
            html.Span([t(f"diff_{k}", lang), " ", html.B(f"{int(diff.get(k, 0)):,}")], className="diff-count")
            for k in ("new", "revised", "unchanged")
        ],
        className="diff-counts",
    )
    return html.Div([counts, table(columns, rows, numeric=["then", "now", "new"])], id=ids.STALE_CHANGES)


def publish_controls(n_warnings: int, lang: Lang, *, revised: int = 0) -> Component:
    """Confirm warnings (when there are any), a reason (required when the file revises), publish or
    discard."""
    # Without warnings there is nothing to confirm: the box is checked and hidden, so the callback
    # always reads the same component.
    confirm = dbc.Checkbox(
        id=ids.CONFIRM_WARNINGS,
        label=t("confirm_warnings", lang),
        value=not n_warnings,
        style=None if n_warnings else {"display": "none"},
    )
    parts: list[Component] = [confirm]
    if revised:
        # the service refuses a revision without a reason; say so before the click, not after
        hint = t("reason_required_hint", lang, n=f"{revised:,}")
        parts.append(html.Div(hint, id="reason-required", className="mt-2 text-danger"))
    parts += [
        dbc.Input(
            id=ids.PUBLISH_REASON,
            placeholder=t("reason_required" if revised else "reason", lang),
            required=bool(revised),
            className="mt-2",
        ),
        html.Div(
            [
                dbc.Button(t("publish", lang), id=ids.PUBLISH, color="primary", n_clicks=0),
                dbc.Button(t("reject", lang), id=ids.REJECT, color="secondary", outline=True, n_clicks=0),
            ],
            className="form-actions",
        ),
        dcc.Loading(html.Div(id=ids.PUBLISH_MESSAGE), type="dot"),
    ]
    return html.Div(parts, className="publish-controls")


def stage_result(result: StageResult, plan: Plan, lang: Lang) -> Component:
    """The whole answer to an upload: verdict, counts, errors, warnings, diff, what to do next."""
    errors, warnings = result.errors, result.warnings
    stats = html.Div(
        [
            html.Span(result.file_name, className="upload-file"),
            html.Span(
                f"{t('rows_read' if result.status == 'rejected' else 'values_count', lang)} {result.rows:,}"
            ),
            html.Span(f"{t('errors', lang)} {len(errors):,}", className="text-danger" if errors else None),
            html.Span(
                f"{t('warnings', lang)} {len(warnings):,}", className="text-warning" if warnings else None
            ),
        ],
        className="upload-stats",
    )
    parts: list[Component] = []
    if result.status == "rejected":
        parts += [dbc.Alert(t("upload_rejected", lang), color="danger", id="upload-verdict"), stats]
        parts += [
            html.H3(t("errors", lang), className="sub-title"),
            issues_table(errors, lang, table_id=ids.UPLOAD_ERRORS),
        ]
    elif result.status == "duplicate":
        status = upload_status_label(result.duplicate_status or "", lang)
        parts += [
            dbc.Alert(
                t("upload_duplicate", lang, id=result.duplicate_of, status=status),
                color="warning",
                id="upload-verdict",
            ),
            stats,
        ]
    else:
        parts += [dbc.Alert(t("upload_staged", lang), color="info", id="upload-verdict"), stats]
    if warnings:
        parts += [
            html.H3(t("warnings", lang), className="sub-title"),
            issues_table(warnings, lang, table_id=ids.UPLOAD_WARNINGS),
        ]
    if result.status == "staged":
        controls = publish_controls(len(warnings), lang, revised=result.diff.revised)
        parts += [diff_panel(result, plan, lang), controls]
    elif result.status == "duplicate" and result.duplicate_status == "staged":
        parts.append(publish_controls(len(warnings), lang, revised=_revisions_in(result)))
    return html.Div(parts)


def _revisions_in(result: StageResult) -> int:
    """A repeated staged file carries its first report, whose revision warnings count the revisions."""
    return sum(1 for w in result.warnings if w.code is ErrorCode.REVISION)


def upload_status_label(status: str, lang: Lang) -> str:
    key = f"upload_status_{status}"
    return t(key, lang) if key.replace("upload_status_", "") in STATUS_COLORS else status


def history_table(uploads: Sequence[Mapping[str, Any]], lang: Lang, *, can_rollback: bool) -> Component:
    """Uploads, newest first; published ones carry a rollback button (behind a confirmation)."""
    rows = []
    for u in uploads:
        status = str(u["status"])
        action: Any = ""
        if can_rollback and status == "published":
            action = dcc.ConfirmDialogProvider(
                dbc.Button(t("rollback", lang), color="danger", outline=True, size="sm"),
                id=ids.rollback_button(int(u["id"])),
                message=t("rollback_confirm", lang, id=u["id"]),
            )
        rows.append(
            {
                "id": f"#{u['id']}",
                "file": u["file_name"],
                "by": u["uploaded_by"],
                "at": beijing_time(u["uploaded_at"], lang),
                "status": dbc.Badge(
                    upload_status_label(status, lang), color=STATUS_COLORS.get(status, "light")
                ),
                "rows": f"{int(u['rows']):,}",
                "warnings": f"{int(u['n_warnings']):,}",
                "published": beijing_time(u["published_at"], lang) if u.get("published_at") else "—",
                "action": action,
            }
        )
    columns = [
        ("id", t("id", lang)),
        ("file", t("file", lang)),
        ("by", t("uploaded_by", lang)),
        ("at", t("time", lang)),
        ("status", t("status", lang)),
        ("rows", t("values_count", lang)),
        ("warnings", t("warnings", lang)),
        ("published", t("published_at", lang)),
        ("action", ""),
    ]
    return table(columns, rows, numeric=["rows", "warnings"])
