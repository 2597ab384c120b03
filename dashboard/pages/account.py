"""我的账户 My account: who is signed in, and their API tokens (list, create, revoke).

Tokens are what programs sign in with; the issue of an unexpiring token that survived a password
change is why they show here, where the owner sees when each was last used and when it expires.
The rules (names, expiry, revocation, audit) are `app.services.accounts`'; the page only calls it.
The new token's secret is shown once, in the callback's answer, and never stored in the page.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html
from dash.development.base_component import Component

from app.auth.roles import Permission
from app.auth.sessions import DEMO_USER
from app.services import accounts
from app.services.accounts import User
from dashboard import ids
from dashboard.callbacks import callback
from dashboard.components import notice, section, table
from dashboard.context import app_context, current_user
from dashboard.formats import beijing_time
from dashboard.i18n import ROLE_LABELS, Lang, lang_of, name_of, pick, t
from dashboard.layout import frame, page_header
from dashboard.urls import query_of

dash.register_page(__name__, path="/account", title="我的账户 · 数字经济监测", name="我的账户", order=10)

PATH = "/account"
STATE_LABELS = {"live": "token_live", "expired": "token_expired", "revoked": "token_revoked"}
STATE_COLORS = {"live": "success", "expired": "secondary", "revoked": "secondary"}


def has_tokens(user: User | None) -> bool:
    """A real account that may own tokens (the demo visitor is no account)."""
    return user is not None and user.id != DEMO_USER.id and user.can(Permission.OWN_TOKENS)


def who_table(user: User, lang: Lang) -> Component:
    plan = app_context().plan
    department = name_of(plan.department(user.department), lang) if user.department else "—"
    role = pick(ROLE_LABELS.get(str(user.role), (str(user.role), str(user.role))), lang)
    rows = [
        (t("account_username", lang), user.username),
        (t("account_name", lang), user.display_name),
        (t("account_role", lang), role),
        (t("account_department", lang), department),
    ]
    return html.Dl(
        [part for label, value in rows for part in (html.Dt(label), html.Dd(value))], className="account-who"
    )


def token_rows(tokens: list[dict[str, Any]], lang: Lang) -> list[dict[str, Any]]:
    rows = []
    for token in tokens:
        state = str(token["state"])
        action: Any = ""
        if state == "live":
            action = dcc.ConfirmDialogProvider(
                dbc.Button(t("token_revoke", lang), color="danger", outline=True, size="sm"),
                id={"type": ids.REVOKE_TYPE, "token": int(token["id"])},
                message=t("token_revoke_confirm", lang, id=token["id"]),
            )
        rows.append(
            {
                "id": f"#{token['id']}",
                "name": token["name"],
                "created": beijing_time(token["created_at"], lang),
                "used": beijing_time(token["last_used_at"], lang),
                "expires": beijing_time(token["expires_at"], lang),
                "state": dbc.Badge(t(STATE_LABELS[state], lang), color=STATE_COLORS[state]),
                "action": action,
            }
        )
    return rows


def tokens_table(user: User, lang: Lang) -> Component:
    tokens = accounts.list_tokens(engine=app_context().engine, user=user)
    columns = [
        ("id", t("token_id", lang)),
        ("name", t("token_label", lang)),
        ("created", t("token_created", lang)),
        ("used", t("token_used", lang)),
        ("expires", t("token_expires", lang)),
        ("state", t("token_state", lang)),
        ("action", ""),
    ]
    return table(
        columns,
        token_rows(tokens, lang),
        table_id=ids.ACCOUNT_TOKENS,
        numeric=["id"],
        nowrap=["created", "used", "expires", "state", "action"],
        empty=t("tokens_none", lang),
    )


def token_form(lang: Lang) -> Component:
    return html.Div(
        [
            dbc.Input(
                id=ids.TOKEN_NAME,
                placeholder=t("token_name_placeholder", lang),
                maxLength=accounts.TOKEN_NAME_MAX,
                type="text",
            ),
            dbc.Button(t("token_create", lang), id=ids.TOKEN_CREATE, color="primary", n_clicks=0),
        ],
        className="token-form",
    )


def body(user: User | None, lang: Lang) -> list[Component]:
    header = page_header(t("account_title", lang))
    if user is None:
        return [header, notice(t("forbidden", lang), color="warning")]
    if not has_tokens(user):
        return [header, notice(t("account_demo", lang), color="info")]
    days = app_context().limits.token_lifetime.days
    return [
        header,
        section(t("account_who", lang), who_table(user, lang)),
        section(
            t("tokens_title", lang),
            [
                html.P(t("tokens_hint", lang, days=days), className="text-muted"),
                html.Div(id=ids.TOKEN_MESSAGE),
                html.Div(tokens_table(user, lang), id=ids.TOKEN_LIST),
                token_form(lang),
            ],
        ),
    ]


def layout(**query: str) -> Component:
    lang = lang_of(query.get("lang"))
    user = current_user()
    return frame(
        "account", body(user, lang), lang=lang, user=user, path=PATH, query=query, page_id="account-page"
    )


def _error(exc: accounts.AccountError, lang: Lang) -> Component:
    return notice(exc.message_en if lang == "en" else exc.message_zh, color="danger")


@callback(
    Output(ids.TOKEN_MESSAGE, "children"),
    Output(ids.TOKEN_LIST, "children"),
    Output(ids.TOKEN_NAME, "value"),
    Input(ids.TOKEN_CREATE, "n_clicks"),
    State(ids.TOKEN_NAME, "value"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def create_token(clicks: int | None, name: str | None, search: str | None) -> tuple[Any, Any, Any]:
    """Create a token for the signed-in user and show its secret this once."""
    lang = lang_of(query_of(search).get("lang"))
    user = current_user()
    if not clicks:
        return dash.no_update, dash.no_update, dash.no_update
    if not has_tokens(user):
        return notice(t("forbidden", lang), color="danger"), dash.no_update, dash.no_update
    assert user is not None
    context = app_context()
    try:
        created = accounts.create_token(
            engine=context.engine, user=user, name=str(name or ""), lifetime=context.limits.token_lifetime
        )
    except accounts.AccountError as exc:
        return _error(exc, lang), dash.no_update, dash.no_update
    message = dbc.Alert(
        [
            html.P(
                t("token_created_once", lang, id=created.id, expires=beijing_time(created.expires_at, lang))
            ),
            html.Code(created.token, id=ids.TOKEN_SECRET, className="token-secret"),
        ],
        color="success",
    )
    return message, tokens_table(user, lang), ""


@callback(
    Output(ids.TOKEN_MESSAGE, "children", allow_duplicate=True),
    Output(ids.TOKEN_LIST, "children", allow_duplicate=True),
    Input({"type": ids.REVOKE_TYPE, "token": ALL}, "submit_n_clicks"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def revoke_token(clicks: list[int | None], search: str | None) -> tuple[Any, Any]:
    """Revoke the token whose confirm dialog was accepted."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        return dash.no_update, dash.no_update
    return revoke(int(trigger["token"]), lang_of(query_of(search).get("lang")))


def revoke(token_id: int, lang: Lang) -> tuple[Any, Any]:
    """Revoke one of the signed-in user's tokens; the service finds only the owner's own."""
    user = current_user()
    if not has_tokens(user):
        return notice(t("forbidden", lang), color="danger"), dash.no_update
    assert user is not None
    try:
        accounts.revoke_token(engine=app_context().engine, user=user, token_id=token_id)
    except accounts.AccountError as exc:
        return _error(exc, lang), dash.no_update
    return dbc.Alert(t("token_revoked_done", lang, id=token_id), color="success"), tokens_table(user, lang)
