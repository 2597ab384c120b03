"""The 催报 reminders of a department: a banner with the newest one and the list, with the 催报单.

Rendered on the department's page from `app.services.reminders`; the 催报单 links go to the API
(the signed-in session is the same), which refuses another department's notices.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from app.auth import policy
from app.context import AppContext
from app.services import reminders as reminder_service
from app.services.accounts import User
from dashboard.components import section, table
from dashboard.formats import beijing_time, period_label
from dashboard.i18n import Lang, t

BANNER_ID = "reminder-banner"
LIST_ID = "reminder-list"
NOTICE_URL = "/api/v1/reminders/{id}/notice.{fmt}"
SHOWN = 10


def _date(value: dt.date, lang: Lang) -> str:
    return f"{value:%Y-%m-%d}" if lang == "en" else f"{value.year}年{value.month}月{value.day}日"


def _links(reminder: dict[str, Any], lang: Lang) -> Component:
    return html.Span(
        [
            html.A("Word", href=NOTICE_URL.format(id=reminder["id"], fmt="docx"), className="me-2"),
            html.A("Excel", href=NOTICE_URL.format(id=reminder["id"], fmt="xlsx")),
        ],
        title=t("reminder_export", lang),
    )


def reminder_sections(
    context: AppContext, department: str, lang: Lang, *, user: User | None
) -> list[Component]:
    """Nothing when the department has no reminders (or they are not the user's); else the banner
    and the list."""
    if not policy.may_see_department(actor=user, department=department):
        return []
    found = reminder_service.department_reminders(engine=context.engine, department=department, limit=SHOWN)
    if not found:
        return []
    newest = found[0]
    banner = dbc.Alert(
        [
            t(
                "reminder_banner",
                lang,
                n=len(found),
                period=period_label(newest["period"], lang),
                missing=newest["n_missing"],
                due=_date(newest["due_date"], lang),
            ),
            " ",
            _links(newest, lang),
        ],
        color="warning",
        id=BANNER_ID,
    )
    rows = [
        {
            "period": period_label(r["period"], lang),
            "due": _date(r["due_date"], lang),
            "missing": f"{int(r['n_missing']):,}",
            "created": beijing_time(r["created_at"], lang),
            "notice": _links(r, lang),
        }
        for r in found
    ]
    columns = [
        ("period", t("period", lang)),
        ("due", t("reminder_due", lang)),
        ("missing", t("reminder_missing", lang)),
        ("created", t("reminder_created", lang)),
        ("notice", t("reminder_export", lang)),
    ]
    return [
        banner,
        section(t("reminders_title", lang), table(columns, rows, table_id=LIST_ID, numeric=["missing"])),
    ]
