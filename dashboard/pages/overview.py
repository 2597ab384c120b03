"""总览 Overview (shell until the dashboard pages land)."""

from __future__ import annotations

import dash
from dash import html

from dashboard.context import current_user

dash.register_page(__name__, path="/", title="总览 Overview", name="总览")


def layout(**query: str) -> html.Div:
    user = current_user()
    name = user.display_name if user else ""
    return html.Div(
        [html.H1("山西省数字经济发展监测"), html.P(f"欢迎，{name}"), html.A("退出登录", href="/logout")],
        id="overview-page",
    )
