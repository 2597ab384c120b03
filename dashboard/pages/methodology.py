"""方法 Methodology: docs/methodology.md, the document that explains how every number is computed.

Rendered from the file each time (it is small), so the page and the document cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import dcc
from dash.development.base_component import Component

from dashboard import ids
from dashboard.components import notice
from dashboard.context import current_user
from dashboard.i18n import lang_of, t
from dashboard.layout import frame, page_header

dash.register_page(__name__, path="/methodology", title="方法 · 数字经济监测", name="方法", order=6)

PATH = "/methodology"
METHODOLOGY_FILE = Path(__file__).resolve().parents[2] / "docs" / "methodology.md"


def methodology_text(path: Path = METHODOLOGY_FILE) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def layout(**query: str) -> Component:
    lang = lang_of(query.get("lang"))
    text = methodology_text()
    content: Component = (
        dcc.Markdown(text, id=ids.METHODOLOGY, className="methodology", link_target="_blank")
        if text is not None
        else notice(t("methodology_missing", lang), color="warning")
    )
    return frame(
        "methodology",
        [page_header(t("nav_methodology", lang)), dbc.Card(dbc.CardBody(content), className="section")],
        lang=lang,
        user=current_user(),
        path=PATH,
        query=query,
        page_id="methodology-page",
    )
