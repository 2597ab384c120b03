"""The frame around every page: navbar (pages, user, language, sign-out) and the content area.

Each page's `layout(**query)` wraps its content in `frame(...)`, so the navbar is drawn from the
same URL as the page: the language switch keeps the page's query, and a role that may not upload
never sees 数据上报 in the first place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from app.auth.roles import Permission
from app.services.accounts import User
from dashboard import ids
from dashboard.context import app_context, current_csrf
from dashboard.i18n import ROLE_LABELS, Lang, monitor_name, pick, plan_document, t
from dashboard.urls import href


@dataclass(frozen=True, slots=True)
class NavItem:
    key: str
    path: str
    label: str  # i18n key
    permission: Permission = Permission.READ


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("overview", "/", "nav_overview"),
    NavItem("regions", "/regions", "nav_regions"),
    NavItem("departments", "/departments", "nav_departments"),
    NavItem("indicator", "/indicator", "nav_indicator"),
    NavItem("uploads", "/uploads", "nav_uploads", Permission.UPLOAD),
    NavItem("tasks", "/tasks", "nav_tasks"),
    NavItem("index", "/index", "nav_index"),
    NavItem("ledger", "/ledger", "nav_ledger"),
    NavItem("briefs", "/briefs", "nav_briefs", Permission.EXPORT_BRIEFS),
    NavItem("methodology", "/methodology", "nav_methodology"),
)


def visible_items(user: User | None) -> list[NavItem]:
    """The pages this user may open (a leader has no 数据上报)."""
    return [item for item in NAV_ITEMS if user is not None and user.can(item.permission)]


def _sign_out(lang: Lang) -> list[Component]:
    """Signing out is a POST carrying the session's CSRF token, so no other site can sign a user out."""
    csrf = current_csrf()
    if csrf is None:
        return []
    return [
        html.Form(
            [
                dcc.Input(type="hidden", name="csrf", value=csrf),
                html.Button(t("logout", lang), type="submit", id=ids.LOGOUT, className="nav-link logout"),
            ],
            action="/logout",
            method="POST",
            className="logout-form",
        )
    ]


def navbar(active: str, *, lang: Lang, user: User | None, path: str, query: Mapping[str, Any]) -> Component:
    links = [
        dbc.NavItem(
            dcc.Link(
                t(item.label, lang),
                href=href(item.path, lang),
                className="nav-link" + (" active" if item.key == active else ""),
                id=f"nav-{item.key}",
            )
        )
        for item in visible_items(user)
    ]
    other: Lang = "zh" if lang == "en" else "en"
    switch = dcc.Link(
        t("switch_lang", lang),
        href=href(path, other, **{k: v for k, v in query.items() if k != "lang"}),
        id=ids.LANG_SWITCH,
        className="nav-link lang-switch",
    )
    who = []
    if user is not None:
        role = pick(ROLE_LABELS.get(str(user.role), (str(user.role), str(user.role))), lang)
        badge = html.Span(
            [html.B(user.display_name), html.Span(role, className="user-role")], id=ids.USER_BADGE
        )
        who = [
            dcc.Link(
                badge,
                href=href("/account", lang),
                title=t("nav_account", lang),
                className="nav-link user-link" + (" active" if active == "account" else ""),
                id=ids.ACCOUNT_LINK,
            )
        ]
    right = html.Div([*who, switch, *_sign_out(lang)], className="navbar-right")
    plan = app_context().plan
    brand = dcc.Link(
        [
            html.Span(monitor_name(plan, lang), className="brand-title"),
            html.Span(plan_document(plan, lang), className="brand-sub"),
        ],
        href=href("/", lang),
        className="navbar-brand",
    )
    return html.Nav(
        html.Div([brand, dbc.Nav(links, className="main-nav"), right], className="navbar-inner"),
        id=ids.NAVBAR,
        className="navbar app-navbar",
    )


def frame(
    active: str,
    body: Any,
    *,
    lang: Lang,
    user: User | None,
    path: str,
    query: Mapping[str, Any],
    page_id: str,
) -> Component:
    """Navbar above the page's content; `page_id` lets tests and CSS find the page."""
    return html.Div(
        [
            navbar(active, lang=lang, user=user, path=path, query=query),
            html.Main(body, id=page_id, className="page", lang="en" if lang == "en" else "zh-CN"),
        ],
        id=ids.PAGE,
    )


def page_header(title: str, *controls: Component, subtitle: Any = None) -> Component:
    """The page title with its selectors on the right."""
    return html.Div(
        [
            html.Div([html.H1(title, className="page-title"), html.Div(subtitle, className="page-subtitle")]),
            html.Div(list(controls), className="page-controls"),
        ],
        className="page-header",
    )


def control(label: str, component: Component) -> Component:
    return html.Label([html.Span(label, className="control-label"), component], className="control")
