"""The briefs' 政策兑现 section: what the policy items have awarded in the brief's scope (万元)."""

from __future__ import annotations

from app.briefs import wording as w
from app.briefs.content import Column, ColumnKind, Paragraph, Section, Table
from app.briefs.data import BriefData


def policy_sections(data: BriefData) -> list[Section]:
    """One section when the ledger has applications in scope, none otherwise."""
    rows = data.ledger
    if not rows:
        return []
    total = {k: sum(float(r[k]) for r in rows) for k in ("requested", "approved", "paid")}
    count = sum(int(r["applications"]) for r in rows)
    top = max(rows, key=lambda r: float(r["approved"]))
    text = (
        f"截至{data.issued.year}年{data.issued.month}月{data.issued.day}日，若干政策共受理奖补申请{count}笔，"
        f"按规则核定{_wan(total['requested'])}万元，已审核{_wan(total['approved'])}万元，"
        f"已拨付{_wan(total['paid'])}万元"
    )
    if top["approved"]:
        text += f"；已审核金额最多的是第{top['item']}条（{top['title']}，{_wan(float(top['approved']))}万元）"
    table = Table(
        sheet="政策兑现",
        title="若干政策奖补兑现情况（万元）",
        columns=(
            Column("条款", width=8),
            Column("政策", width=30),
            Column("牵头部门", width=12),
            Column("申请笔数", ColumnKind.INTEGER, 8),
            Column("核定金额", ColumnKind.NUMBER, 10),
            Column("已审核", ColumnKind.NUMBER, 10),
            Column("已拨付", ColumnKind.NUMBER, 10),
        ),
        rows=tuple(
            (
                f"第{r['item']}条",
                r["title"],
                r["lead"],
                int(r["applications"]),
                r["requested"],
                r["approved"],
                r["paid"],
            )
            for r in rows
        ),
        note="金额按若干政策的奖补规则计算（含首次、升级差额、封顶与补贴年限），详见 docs/ledger.md。",
    )
    return [Section("政策兑现情况", (Paragraph(text + "。"), table))]


def _wan(value: float) -> str:
    return w.number(value)
