"""政策兑现 Policy awards: what 若干政策 has cost, by item, department, city and year, next to the targets.

Everything comes from app.services.ledger (the same figures as `dem ledger summary` and the API),
scoped to the signed-in user: a department sees the items it leads, the bureau sees amounts with
enterprise names masked. Illustrative sample applications are flagged on the page.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html
from dash.development.base_component import Component

from app.services import ledger as ledger_service
from dashboard.components import notice, section, table
from dashboard.context import app_context, current_user
from dashboard.formats import number
from dashboard.i18n import Lang, lang_of
from dashboard.layout import frame, page_header
from dashboard.ledger_figures import amounts_by_item
from dashboard.status import status_label

dash.register_page(__name__, path="/ledger", title="政策兑现 · 数字经济监测", name="政策兑现", order=7)

PATH = "/ledger"
PAGE_ID = "ledger-page"
TOTALS_ID = "ledger-totals"
BY_ITEM_ID = "ledger-by-item"
CHART_ID = "ledger-chart"
BINDING_ID = "ledger-binding"
TOP_ID = "ledger-top"
ILLUSTRATIVE_ID = "ledger-illustrative"

LABELS: dict[str, tuple[str, str]] = {
    "title": ("政策兑现", "Policy awards"),
    "subtitle": (
        "若干政策 22 条奖补：按规则计算的核定金额，申请 → 审核（牵头部门）→ 拨付；金额单位：万元",
        "The 22 incentives of 若干政策: awards computed by rule, "
        "applied → approved (lead department) → paid; 10k yuan",
    ),
    "applications": ("申请笔数", "Applications"),
    "requested": ("核定金额（申请）", "Computed (applied)"),
    "approved": ("已审核", "Approved"),
    "paid": ("已拨付", "Paid"),
    "unit": ("万元", "10k yuan"),
    "item": ("政策条款", "Policy item"),
    "lead": ("牵头部门", "Lead department"),
    "targets": ("关联目标（全省）", "Linked targets (province)"),
    "target_of": ("年目标", " target"),
    "by_item": ("按政策条款", "By policy item"),
    "by_department": ("按牵头部门", "By lead department"),
    "by_city": ("按设区市", "By city"),
    "by_year": ("按年度", "By year"),
    "department": ("部门", "Department"),
    "city": ("市", "City"),
    "year": ("年度", "Year"),
    "top": ("获奖补最多的企业（已审核及拨付）", "Top enterprises (approved and paid)"),
    "enterprise": ("企业", "Enterprise"),
    "code": ("统一社会信用代码", "Credit code"),
    "binding": (
        "封顶生效次数（各上限压低核定金额的申请笔数）",
        "Caps that bound (applications each cap lowered)",
    ),
    "rule_cap": ("规则上限", "Rule cap"),
    "award": ("单笔上限", "Per award"),
    "project": ("同一项目", "Per project"),
    "project_year": ("同一项目年度", "Per project-year"),
    "enterprise_year": ("同一企业年度", "Per enterprise-year"),
    "enterprise_cap": ("同一企业累计", "Per enterprise"),
    "none": ("台账中还没有申请。用 dem ledger apply / import 或 API 登记。", "No applications yet."),
    "illustrative": (
        "注意：台账含示例申请（illustrative，dem init --sample 载入，企业为虚构），不是真实兑现数据。",
        "Note: the ledger holds illustrative sample applications (fictional enterprises), not real awards.",
    ),
    "masked": (
        "企业名称仅对领导、管理员和牵头部门显示。",
        "Enterprise names are shown to leaders, admins and lead departments only.",
    ),
}
SCOPE_LABELS = {
    "rule": "rule_cap",
    "award": "award",
    "project": "project",
    "project_year": "project_year",
    "enterprise_year": "enterprise_year",
    "enterprise": "enterprise_cap",
}


def _t(key: str, lang: Lang) -> str:
    zh, en = LABELS[key]
    return en if lang == "en" else zh


def _money(value: Any) -> str:
    return number(value, decimals=2) if value else "0"


def _targets(rows: list[dict[str, Any]], lang: Lang) -> Any:
    if not rows:
        return "—"
    parts = []
    for r in rows:
        name = r["name_en"] if lang == "en" and r["name_en"] else r["name"]
        current = number(r["current"], r["unit"]) if r["current"] is not None else "—"
        parts.append(
            html.Div(
                f"{name}：{current} / {r['year']}{_t('target_of', lang)} {number(r['target'], r['unit'])}"
                f"（{status_label(r['status'], lang)}）",
                className="ledger-target",
            )
        )
    return parts


def _totals(totals: dict[str, float], lang: Lang) -> Component:
    cards = [
        html.Div(
            [html.Div(_t(key, lang), className="field-label"), html.Div(value, className="field-value")],
            className="ledger-total",
            id=f"ledger-total-{key}",
        )
        for key, value in (
            ("applications", f"{totals['applications']:.0f}"),
            ("requested", f"{_money(totals['requested'])} {_t('unit', lang)}"),
            ("approved", f"{_money(totals['approved'])} {_t('unit', lang)}"),
            ("paid", f"{_money(totals['paid'])} {_t('unit', lang)}"),
        )
    ]
    return html.Div(cards, id=TOTALS_ID, className="ledger-totals")


def _group_table(rows: list[dict[str, Any]], first: str, lang: Lang, table_id: str) -> Component:
    columns = [
        ("label", _t(first, lang)),
        ("applications", _t("applications", lang)),
        ("requested", _t("requested", lang)),
        ("approved", _t("approved", lang)),
        ("paid", _t("paid", lang)),
    ]
    records = [{**r, "label": r.get("label", r["key"])} for r in rows]
    money = {k: _money for k in ("requested", "approved", "paid")}
    return table(
        columns,
        records,
        table_id=table_id,
        formatters=money,
        numeric=["applications", "requested", "approved", "paid"],
    )


def body(lang: Lang) -> list[Component]:
    context = app_context()
    user = current_user()
    header = page_header(_t("title", lang), subtitle=_t("subtitle", lang))
    if user is None:
        return [header]
    plan = context.plan
    result = ledger_service.summary(engine=context.engine, plan=plan, actor=user)
    if not result.by_item:
        return [header, notice(_t("none", lang), color="info", notice_id="ledger-empty")]
    linked = ledger_service.linked_targets(engine=context.engine, plan=plan)
    illustrative = ledger_service.has_illustrative(engine=context.engine)
    by_item = [{**r, "targets": _targets(linked.get(int(r["key"]), []), lang)} for r in result.by_item]
    item_columns = [
        ("label", _t("item", lang)),
        ("department", _t("lead", lang)),
        ("applications", _t("applications", lang)),
        ("requested", _t("requested", lang)),
        ("approved", _t("approved", lang)),
        ("paid", _t("paid", lang)),
        ("targets", _t("targets", lang)),
    ]
    money = {k: _money for k in ("requested", "approved", "paid")}
    labels = {k: _t(k, lang) for k in ("requested", "approved", "paid", "unit")}
    scopes = list(ledger_service.CAP_SCOPES)
    binding_rows = [
        {"label": f"第{r['item']}条", **{s: r.get(s, 0) for s in scopes}}
        for r in sorted(result.binding, key=lambda r: -sum(r.get(s, 0) for s in scopes))
        if any(r.get(s, 0) for s in scopes)
    ]
    binding_columns = [("label", _t("item", lang))] + [(s, _t(SCOPE_LABELS[s], lang)) for s in scopes]
    top_columns = [
        ("enterprise_name", _t("enterprise", lang)),
        ("enterprise_code", _t("code", lang)),
        ("city_name", _t("city", lang)),
        ("applications", _t("applications", lang)),
        ("approved", _t("approved", lang)),
    ]
    parts: list[Component] = [header]
    if illustrative:
        parts.append(notice(_t("illustrative", lang), color="warning", notice_id=ILLUSTRATIVE_ID))
    parts += [
        _totals(result.totals, lang),
        section(
            _t("by_item", lang),
            [
                dcc.Graph(
                    id=CHART_ID,
                    figure=amounts_by_item(result.by_item, labels=labels),
                    config={"displayModeBar": False},
                ),
                table(
                    item_columns,
                    by_item,
                    table_id=BY_ITEM_ID,
                    formatters=money,
                    numeric=["applications", "requested", "approved", "paid"],
                ),
            ],
        ),
        section(
            _t("binding", lang), table(binding_columns, binding_rows, table_id=BINDING_ID, numeric=scopes)
        ),
        section(
            _t("top", lang),
            [
                table(
                    top_columns,
                    result.top_enterprises,
                    table_id=TOP_ID,
                    formatters={"approved": _money},
                    numeric=["applications", "approved"],
                ),
                html.P(_t("masked", lang), className="section-note"),
            ],
        ),
        section(
            _t("by_department", lang),
            _group_table(result.by_department, "department", lang, "ledger-by-department"),
        ),
        section(_t("by_city", lang), _group_table(result.by_city, "city", lang, "ledger-by-city")),
        section(_t("by_year", lang), _group_table(result.by_year, "year", lang, "ledger-by-year")),
    ]
    return parts


def layout(**query: str) -> Component:
    lang = lang_of(query.get("lang"))
    return frame(
        "ledger", body(lang), lang=lang, user=current_user(), path=PATH, query=query, page_id=PAGE_ID
    )
