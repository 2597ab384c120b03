"""简报 Briefs: the monitoring briefs generated so far, with their data versions, and their files.

The list is `app.services.briefs.list_briefs` for the signed-in user, so the page shows exactly what
the API would: a department its own briefs, a leader all. Each file downloads through the API's
download route (the session cookie signs the request in), so both ways are authorised alike. Leaders
export the plan's final evaluation here; the scheduled quarterly briefs land here too.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import html
from dash.development.base_component import Component

from app.auth import policy
from app.services import briefs as brief_service
from app.services import periods as period_service
from app.services.accounts import User
from app.services.brief_downloads import file_url
from dashboard import ids
from dashboard.brief_export import FORMAT_LABELS, export_panel, present, scope_label
from dashboard.components import notice, section, table
from dashboard.context import app_context, current_user
from dashboard.formats import beijing_time, period_label
from dashboard.i18n import Lang, lang_of, t
from dashboard.layout import frame, page_header
from indicators.model import Plan

dash.register_page(__name__, path="/briefs", title="简报 · 数字经济监测", name="简报", order=8)

PATH = "/briefs"
ROWS_SHOWN = 200


def _scope_text(text: str, plan: Plan, lang: Lang) -> str:
    """The scope's name; a scope the current plan no longer knows is shown as recorded."""
    try:
        return scope_label(brief_service.BriefScope.parse(text, plan=plan), plan, lang)
    except brief_service.BriefError:
        return text


def brief_rows(records: list[brief_service.BriefRecord], plan: Plan, lang: Lang) -> list[dict[str, Any]]:
    rows = []
    for record in records:
        notes = []
        if record.reproduces is not None:
            notes.append(t("brief_reproduces", lang, id=record.reproduces))
        if record.published_on is not None:
            notes.append(t("brief_vintage", lang, date=record.published_on.isoformat()))
        rows.append(
            {
                "id": record.id,
                "title": [record.title, *(html.Div(n, className="text-muted small") for n in notes)],
                "scope": _scope_text(record.scope, plan, lang),
                "period": period_label(record.period, lang),
                "format": FORMAT_LABELS.get(record.format, record.format),
                "version": record.data_version,
                "by": record.created_by,
                "at": beijing_time(record.created_at, lang),
                "file": html.A(
                    t("download", lang), href=file_url(record.id), id=ids.brief_link(record.id), download=""
                ),
            }
        )
    return rows


def briefs_table(records: list[brief_service.BriefRecord], plan: Plan, lang: Lang) -> Component:
    columns = [
        ("id", t("brief_id", lang)),
        ("title", t("brief_name", lang)),
        ("scope", t("brief_scope", lang)),
        ("period", t("period", lang)),
        ("format", t("brief_format", lang)),
        ("version", t("data_version", lang)),
        ("by", t("made_by", lang)),
        ("at", t("made_at", lang)),
        ("file", t("download", lang)),
    ]
    return table(
        columns,
        brief_rows(records, plan, lang),
        table_id=ids.BRIEF_TABLE,
        numeric=["id", "version"],
        nowrap=["period", "at", "file"],
        empty=t("briefs_none", lang),
    )


def body(user: User | None, lang: Lang) -> list[Component]:
    context = app_context()
    header = page_header(
        t("briefs_title", lang), subtitle=t("briefs_schedule", lang, day=context.settings.brief_day)
    )
    if user is None:
        return [header, notice(t("forbidden", lang), color="warning")]
    records = brief_service.list_briefs(engine=context.engine, actor=user, limit=ROWS_SHOWN)
    own_only = (
        [html.P(t("briefs_own_only", lang), className="text-muted")]
        if policy.confined_to(user) is not None
        else []
    )
    periods = period_service.as_of_options(engine=context.engine, plan=context.plan)
    final = export_panel("final", periods[0] if periods else None, lang=lang, user=user)
    return [
        header,
        section(t("briefs_made", lang), [*own_only, briefs_table(records, context.plan, lang)]),
        *present(final),
    ]


def layout(**query: str) -> Component:
    lang = lang_of(query.get("lang"))
    user = current_user()
    return frame(
        "briefs", body(user, lang), lang=lang, user=user, path=PATH, query=query, page_id="briefs-page"
    )
