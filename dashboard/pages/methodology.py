"""方法 Methodology: the readers' explanation of every rule, with the technical document one link away.

The readers' page (docs/guide/methodology.{zh,en}.md) says each rule in plain words with one worked
example; `?doc=technical` shows docs/methodology.md, the document with every formula. Both are read
from their files each time (they are small), so the page and the documents cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.components import notice
from dashboard.context import current_user
from dashboard.i18n import Lang, lang_of, t
from dashboard.layout import frame, page_header
from dashboard.urls import href

dash.register_page(__name__, path="/methodology", title="方法 · 数字经济监测", name="方法", order=6)

PATH = "/methodology"
DOCS = Path(__file__).resolve().parents[2] / "docs"
METHODOLOGY_FILE = DOCS / "methodology.md"
GUIDE_FILES = {"zh": DOCS / "guide" / "methodology.zh.md", "en": DOCS / "guide" / "methodology.en.md"}


def methodology_text(path: Path = METHODOLOGY_FILE) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def guide_text(lang: Lang) -> str | None:
    """The readers' page in the language asked for; its links to the technical document keep the language."""
    return methodology_text(GUIDE_FILES[lang])


def layout(**query: str) -> Component:
    lang = lang_of(query.get("lang"))
    technical = query.get("doc") == "technical"
    text = methodology_text() if technical else guide_text(lang)
    switch = (
        html.A(t("methodology_guide", lang), href=href(PATH, lang))
        if technical
        else html.A(t("methodology_technical", lang), href=href(PATH, lang, doc="technical"))
    )
    content: Component = (
        dcc.Markdown(text, id=ids.METHODOLOGY, className="methodology")
        if text is not None
        else notice(t("methodology_missing", lang), color="warning")
    )
    return frame(
        "methodology",
        [
            page_header(t("nav_methodology", lang), html.Span(switch, id=ids.METHODOLOGY_TECHNICAL_LINK)),
            dbc.Card(dbc.CardBody(content), className="section"),
        ],
        lang=lang,
        user=current_user(),
        path=PATH,
        query=query,
        page_id="methodology-page",
    )
