"""Build a brief's content from its data: the same `BriefData` always gives the same `BriefContent`.

Pure: no database, clock or file. Each scope has its own outline (province, department, region,
final); the shared parts (target table, trajectory and status charts, data notes) are built once.
Numbers are copied from the progress records; sentences come from `app.briefs.wording`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from app.briefs import wording as w
from app.briefs.content import (
    Block,
    BriefContent,
    Cell,
    Chart,
    ChartKind,
    Column,
    ColumnKind,
    Panel,
    Paragraph,
    Section,
    Series,
    Table,
)
from app.briefs.data import BriefData, CityRanking, Record
from app.briefs.ledger_section import policy_sections
from indicators.model import Measure, Plan
from indicators.periods import Frequency

SECTION_NUMBERS = "一二三四五六七八九十"
SUB_NUMBERS = "一二三四五六七八九十"
MAX_LISTED = 30  # revisions and missing values listed in the notes; the rest are counted
TRAJECTORY_PANELS = 6

TARGET_COLUMNS = (
    Column("指标（单位）", width=16),
    Column("条款", width=10),
    Column("目标年", ColumnKind.INTEGER, 7),
    Column("目标值", ColumnKind.NUMBER, 9),
    Column("当前值", ColumnKind.NUMBER, 9),
    Column("时期", width=8),
    Column("完成率", ColumnKind.PERCENT, 8),
    Column("序时进度", ColumnKind.PERCENT, 8),
    Column("序时差(百分点)", ColumnKind.POINTS, 8),
    Column("状态", width=7),
    Column("趋势", width=9),
)


def brief_title(plan: Plan) -> str:
    """山西省数字经济发展监测简报: the plan's province names the brief, as it names the system."""
    return f"{plan.monitor_name}简报"


def final_title(plan: Plan) -> str:
    return f"{plan.province.name}数字经济发展规划终期评估报告"


def compose(data: BriefData) -> BriefContent:
    """The brief for the data's scope."""
    builders = {
        "province": _province,
        "department": _department,
        "region": _region,
        "final": _final,
    }
    summary, sections = builders[data.scope_kind](data)
    numbered = tuple(
        Section(f"{SECTION_NUMBERS[i]}、{s.heading}", s.blocks, s.subsections) for i, s in enumerate(sections)
    )
    is_final = data.scope_kind == "final"
    scope = "" if data.scope_kind in ("province", "final") else f"{data.scope_label}·"
    return BriefContent(
        title=final_title(data.plan) if is_final else brief_title(data.plan),
        subtitle=f"（{scope}{w.period_title(data.period)}{'数据' if is_final else ''}）",
        issuer=f"{data.plan.monitor_name}工作专班",
        date_text=f"{data.issued.year}年{data.issued.month}月{data.issued.day}日",
        summary=tuple(summary),
        sections=numbered,
        meta={
            "scope": data.scope_kind if data.scope_code is None else f"{data.scope_kind}:{data.scope_code}",
            "period": str(data.period),
            "data_version": str(data.data_version) if data.data_version is not None else "—",
        },
    )


# ------------------------------------------------------------------------------------ scopes
def _province(data: BriefData) -> tuple[list[str], list[Section]]:
    subject = f"截至{w.period_short(str(data.period))}，全省"
    summary = [w.status_counts_sentence(data.progress, subject=subject)]
    summary += [_sentence(data.plan, r) for r in data.progress]
    sections = [
        Section("总体情况", (*_summary_paragraphs(summary), _status_chart(data.progress))),
        Section("目标进展", (_target_table(data.progress), *_trajectory(data, data.progress))),
        _cities_section(data.rankings),
        Section("责任部门工作情况", subsections=tuple(_department_sections(data))),
        *policy_sections(data),
        _notes_section(data),
    ]
    return summary, [s for s in sections if s.blocks or s.subsections]


def _department(data: BriefData) -> tuple[list[str], list[Section]]:
    subject = f"截至{w.period_short(str(data.period))}，{data.scope_label}牵头或配合的"
    summary = [w.status_counts_sentence(data.progress, subject=subject)]
    summary += [_sentence(data.plan, r) for r in data.progress]
    blocks: list[Block] = list(_summary_paragraphs(summary))
    if data.progress:
        blocks.append(_status_chart(data.progress))
    sections = [
        Section("总体情况", tuple(blocks)),
        Section("目标进展", (_target_table(data.progress), *_trajectory(data, data.progress)))
        if data.progress
        else Section("目标进展", (Paragraph("本部门职责范围内暂无量化目标。"),)),
        Section("重点任务推进情况", (_task_table(data.tasks),)),
        Section("报送指标", (_indicator_table(data.region_rows, sheet="报送指标"),)),
        *policy_sections(data),
        _notes_section(data),
    ]
    return summary, sections


def _region(data: BriefData) -> tuple[list[str], list[Section]]:
    city = data.scope_label
    with_value = [r for r in data.region_rows if w.is_number(r.get("value"))]
    summary = [f"截至{w.period_short(str(data.period))}，{city}{len(with_value)}项监测指标有数据"]
    for row in with_value:
        summary.append(
            w.city_sentence(
                row,
                city=city,
                name=str(row["name"]),
                unit=str(row.get("unit") or ""),
                peers=int(row["peers"]) if w.is_number(row.get("peers")) else 0,
            )
        )
    ranking_blocks: list[Block] = [
        _ranking_chart(ranking, highlight=city, number=1 + i) for i, ranking in enumerate(data.rankings)
    ]
    sections = [
        Section("总体情况", _summary_paragraphs(summary)),
        Section("主要指标", (_indicator_table(data.region_rows, sheet="主要指标"), *ranking_blocks)),
        *policy_sections(data),
        _notes_section(data),
    ]
    return summary, sections


def _final(data: BriefData) -> tuple[list[str], list[Section]]:
    met = [v for v in data.verdicts if v.at_deadline.get("status") == "achieved"]
    missed = [v for v in data.verdicts if v.at_deadline.get("status") == "missed"]
    later = [v for v in missed if v.reached_period]
    open_ = len(data.verdicts) - len(met) - len(missed)
    summary = [
        f"规划确定的{len(data.verdicts)}项量化目标中，按期完成{len(met)}项，未按期完成{len(missed)}项"
        + (f"（其中{len(later)}项在期限后达到）" if later else "")
        + (f"，{open_}项尚无期限期数据" if open_ else "")
    ]
    summary += [_verdict_sentence(data.plan, v) for v in data.verdicts]
    milestones = _milestone_table(data.milestones)
    sections = [
        Section(
            "总体评价", (*_summary_paragraphs(summary), _status_chart([v.at_deadline for v in data.verdicts]))
        ),
        Section("量化目标完成情况", (_verdict_table(data.verdicts), *_trajectory(data, data.progress))),
        Section("里程碑目标", (milestones,)),
        Section("分领域评估", tuple(_domain_paragraphs(data))),
        *policy_sections(data),
        _notes_section(data),
    ]
    return summary, sections


# ------------------------------------------------------------------------------------ sentences
def _summary_paragraphs(summary: Sequence[str]) -> tuple[Paragraph, ...]:
    """The overview sentence, then the per-target sentences as one paragraph (as a brief reads)."""
    head = (Paragraph(summary[0] + "。"),) if summary else ()
    rest = (Paragraph("；".join(summary[1:]) + "。"),) if len(summary) > 1 else ()
    return head + rest


def _flow(plan: Plan, indicator: str) -> bool:
    """Year-to-date flows read 累计; an annual flow is simply the year's value (达到)."""
    found = plan.indicator(indicator)
    return found.measure is Measure.FLOW and found.frequency is not Frequency.ANNUAL


def _sentence(plan: Plan, record: Record) -> str:
    return w.target_sentence(record, flow=_flow(plan, str(record["indicator"])))


def _verdict_sentence(plan: Plan, verdict: Any) -> str:
    record = verdict.at_deadline
    name = str(record.get("name") or record["indicator"])
    unit = str(record.get("unit") or "")
    goal = w.target_words(record)
    status = str(record.get("status"))
    value = w.quantity(record.get("current"), unit)
    detail = f"（{w.period_short(record.get('current_period'))}为{value}，{_margin_words(record)}）"
    if status == "achieved":
        return f"{name}{goal}的目标已按期完成{detail}"
    if status == "missed":
        text = f"{name}{goal}的目标未按期完成{detail}"
        if verdict.reached_period:
            text += f"，已于{w.period_short(verdict.reached_period)}达到"
        return text
    return f"{name}{goal}的目标{w.status_label(record)}（最新值{value}）"


def _margin_words(record: Record) -> str:
    margin = _margin(record)
    if margin is None:
        return "差额无法计算"
    unit = str(record.get("unit") or "")
    lower = str(record.get("comparator")) in ("<=", "<")
    better = margin <= 0 if lower else margin >= 0
    return f"{'超出' if better else '相差'}{w.quantity(abs(margin), unit)}"


def _margin(record: Record) -> float | None:
    current, target = record.get("current"), record.get("target")
    if not (w.is_number(current) and w.is_number(target)):
        return None
    return float(current) - float(target)


# ------------------------------------------------------------------------------------ tables
def _target_row(record: Record, clause: str) -> tuple[Cell, ...]:
    return (
        f"{record.get('name') or record['indicator']}（{record.get('unit') or '—'}）",
        clause,
        record.get("year"),
        record.get("target"),
        record.get("current"),
        record.get("current_period") or "—",
        record.get("completion"),
        record.get("expected_completion"),
        record.get("schedule_gap_pp"),
        w.status_label(record),
        record.get("trend_zh") or "—",
    )


def _target_table(records: Sequence[Record], *, plan: Plan | None = None) -> Table:
    rows = tuple(_target_row(r, str(r.get("clause") or "")) for r in records)
    return Table("目标进展", "表1 量化目标进展情况", TARGET_COLUMNS, rows, note=_comparator_note(records))


def _comparator_note(records: Sequence[Record]) -> str:
    lower = [str(r.get("name")) for r in records if str(r.get("comparator")) in ("<=", "<")]
    if not lower:
        return "注：完成率=当前值/目标值；序时差=完成率−序时进度。"
    names = "、".join(dict.fromkeys(lower))
    return f"注：完成率=当前值/目标值（{names}越低越好，完成率=目标值/当前值）；序时差=完成率−序时进度。"


def _verdict_table(verdicts: Sequence[Any]) -> Table:
    columns = (
        Column("指标", width=15),
        Column("条款", width=10),
        Column("目标年", ColumnKind.INTEGER, 7),
        Column("目标值", ColumnKind.NUMBER, 9),
        Column("期限值", ColumnKind.NUMBER, 9),
        Column("单位", width=6),
        Column("结论", width=8),
        Column("差额", ColumnKind.NUMBER, 8),
        Column("期限后达到", width=9),
        Column("最新值", ColumnKind.NUMBER, 9),
        Column("最新时期", width=8),
    )
    rows = []
    for v in verdicts:
        d, latest = v.at_deadline, v.latest
        rows.append(
            (
                d.get("name") or d["indicator"],
                d.get("clause") or "",
                d.get("year"),
                d.get("target"),
                d.get("current"),
                d.get("unit") or "",
                _verdict_label(d),
                _margin(d),
                v.reached_period or "—",
                latest.get("current"),
                latest.get("current_period") or "—",
            )
        )
    return Table(
        "终期评估", "表1 量化目标期限完成情况", columns, tuple(rows), note="注：差额=期限值−目标值。"
    )


def _verdict_label(record: Record) -> str:
    status = str(record.get("status"))
    return {"achieved": "按期完成", "missed": "未按期完成"}.get(status, w.status_label(record))


def _note_columns(narrative: str) -> tuple[Column, ...]:
    """The three columns of a department's latest progress note, shared by the task and milestone tables."""
    return (Column("进展状态", width=10), Column("时期", width=9), Column(narrative, width=36))


def _note_cells(record: Record) -> tuple[str, str, str]:
    return (
        record.get("note_status") or "未报送",
        record.get("note_period") or "—",
        record.get("narrative") or "—",
    )


def _task_table(tasks: Sequence[Record]) -> Table:
    columns = (
        Column("任务", width=28),
        Column("条款", width=14),
        Column("职责", width=8),
        *_note_columns("最新进展"),
    )
    rows = tuple((t["title"], t["clause"], t["role"], *_note_cells(t)) for t in tasks)
    return Table("重点任务", "表2 重点任务推进情况", columns, rows)


def _milestone_table(milestones: Sequence[Record]) -> Table:
    columns = (
        Column("里程碑目标", width=28),
        Column("条款", width=12),
        Column("目标年", ColumnKind.INTEGER, 8),
        Column("牵头部门", width=12),
        *_note_columns("部门报告"),
    )
    rows = tuple(
        (m["name"], m["clause"], m["year"], m.get("lead") or "—", *_note_cells(m)) for m in milestones
    )
    return Table("里程碑", "表2 里程碑目标完成情况", columns, rows)


def _indicator_table(rows: Sequence[Record], *, sheet: str) -> Table:
    columns = (
        Column("指标", width=24),
        Column("单位", width=9),
        Column("时期", width=8),
        Column("数值", ColumnKind.NUMBER, 12),
        Column("同比", ColumnKind.PERCENT, 8),
        Column("环比", ColumnKind.PERCENT, 8),
        Column("全省排名", width=8),
        Column("占全省", ColumnKind.PERCENT, 8),
    )
    out = tuple(
        (
            r["name"],
            r.get("unit") or "",
            r.get("period") or "—",
            r.get("value"),
            r.get("yoy"),
            r.get("qoq"),
            f"{int(r['rank'])}/{int(r['peers'])}" if w.is_number(r.get("rank")) and r.get("peers") else "—",
            r.get("share"),
        )
        for r in rows
    )
    return Table(sheet, f"表 {sheet}", columns, out)


def _ranking_table(ranking: CityRanking, number: int) -> Table:
    columns = (
        Column("排名", ColumnKind.INTEGER, 6),
        Column("城市", width=8),
        Column("时期", width=8),
        Column(f"数值({ranking.unit})", ColumnKind.NUMBER, 12),
        Column("占全省", ColumnKind.PERCENT, 8),
        Column("同比", ColumnKind.PERCENT, 8),
        Column("增长贡献率", ColumnKind.PERCENT, 10),
    )
    rows = tuple(
        (r.get("rank"), r["name"], r.get("period") or "—", r.get("value"), r.get("share"), r.get("yoy"),
         r.get("contribution"))
        for r in ranking.rows
    )  # fmt: skip
    return Table(f"各市{ranking.name}"[:31], f"表{number} 各市{ranking.name}", columns, rows)


# ------------------------------------------------------------------------------------ charts
def _status_chart(records: Iterable[Record]) -> Chart:
    counts: dict[str, int] = {}
    for record in records:
        label = w.status_label(record)
        counts[label] = counts.get(label, 0) + 1
    series = Series("目标数", tuple(counts), tuple(float(c) for c in counts.values()))
    return Chart("status", ChartKind.STATUS, "图1 量化目标状态分布", (Panel("", "项", (series,)),))


def _trajectory(data: BriefData, records: Sequence[Record]) -> list[Chart]:
    """One panel per indicator with a target: its values, and the path from baseline to each target."""
    panels = []
    by_indicator: dict[str, list[Record]] = {}
    for record in records:
        by_indicator.setdefault(str(record["indicator"]), []).append(record)
    for indicator, targets in list(by_indicator.items())[:TRAJECTORY_PANELS]:
        values = data.series.get(indicator, ())
        if not values:
            continue
        unit = str(targets[0].get("unit") or "")
        series = [Series("实际值", tuple(p for p, _ in values), tuple(v for _, v in values))]
        for target in targets:
            path = _target_path(target)
            if path:
                series.append(Series(f"{target['year']}年目标路径", path[0], path[1], dashed=True))
        panels.append(Panel(str(targets[0].get("name") or indicator), unit, tuple(series)))
    if not panels:
        return []
    return [Chart("trajectory", ChartKind.TRAJECTORY, "图2 重点目标走势与目标路径", tuple(panels))]


def _target_path(record: Record) -> tuple[tuple[str, ...], tuple[float | None, ...]] | None:
    """From the baseline to the target at the deadline, through 序时进度 now: the engine's own points."""
    base, base_period = record.get("baseline"), record.get("baseline_period")
    if not (w.is_number(base) and base_period):
        return None
    xs = [str(base_period)]
    ys: list[float | None] = [float(base)]
    as_of, expected = record.get("as_of"), record.get("expected")
    annual = "Q" not in str(base_period)  # an annual series is drawn on years: its deadline is the year
    deadline = f"{record['year']}" if annual else f"{record['year']}Q4"
    if as_of and w.is_number(expected) and not annual and str(as_of) < deadline:
        xs.append(str(as_of))
        ys.append(float(expected))
    xs.append(deadline)
    ys.append(float(record["target"]))
    return tuple(xs), tuple(ys)


def _ranking_chart(ranking: CityRanking, *, highlight: str | None = None, number: int = 3) -> Chart:
    rows = [r for r in ranking.rows if w.is_number(r.get("value"))]
    series = Series(ranking.name, tuple(str(r["name"]) for r in rows), tuple(float(r["value"]) for r in rows))
    short = highlight.removesuffix("市") if highlight else None
    title = f"图{number} 各市{ranking.name}（{rows[0].get('period') if rows else '—'}）"
    return Chart(
        f"ranking-{ranking.indicator}", ChartKind.RANKING, title, (Panel("", ranking.unit, (series,), short),)
    )


def _cities_section(rankings: Sequence[CityRanking]) -> Section:
    blocks: list[Block] = []
    for i, ranking in enumerate(rankings):
        names = [str(r["name"]) for r in ranking.rows if w.is_number(r.get("rank"))]
        if names:
            blocks.append(Paragraph(w.ranking_sentence(names, indicator=ranking.name) + "。"))
        blocks.append(_ranking_table(ranking, number=2 + i))
        if i == 0:
            blocks.append(_ranking_chart(ranking))
    return Section("各市情况", tuple(blocks))


# ------------------------------------------------------------------------------------ sections
def _department_sections(data: BriefData) -> list[Section]:
    """A subsection per lead department: its targets' sentences and its tasks' latest notes."""
    plan = data.plan
    by_department: dict[str, list[Record]] = {}
    for record in data.progress:
        by_department.setdefault(plan.indicator(str(record["indicator"])).department, []).append(record)
    for task in data.tasks:
        by_department.setdefault(str(task["lead_code"]), [])
    out = []
    for i, (code, records) in enumerate(by_department.items()):
        blocks: list[Block] = []
        if records:
            listed = "、".join(f"{r.get('name')}（{r.get('year')}年，{w.status_label(r)}）" for r in records)
            blocks.append(Paragraph(listed + "。", bold_lead="负责的量化目标："))
        notes = [t for t in data.tasks if t["lead_code"] == code and t.get("narrative")]
        blocks += [Paragraph(f"{t['title']}：{t['narrative']}", bold_lead="") for t in notes]
        if not blocks:
            blocks.append(Paragraph("本期未报送任务进展。"))
        heading = f"（{SUB_NUMBERS[i % len(SUB_NUMBERS)]}）{plan.department(code).short_name}"
        out.append(Section(heading, tuple(blocks)))
    return out


def _domain_paragraphs(data: BriefData) -> list[Paragraph]:
    plan = data.plan
    out = []
    for domain in plan.domains:
        if domain.code in ("safeguard", "policy"):
            continue
        verdicts = [
            v for v in data.verdicts if plan.indicator(str(v.at_deadline["indicator"])).domain == domain.code
        ]
        met = sum(1 for v in verdicts if v.at_deadline.get("status") == "achieved")
        milestones = [m for m in data.milestones if m.get("domain") == domain.code]
        done = sum(1 for m in milestones if m.get("note_status_code") == "completed")
        text = (
            f"量化目标{len(verdicts)}项，按期完成{met}项；里程碑目标{len(milestones)}项，"
            f"部门报告已完成{done}项。"
        )
        if verdicts:
            text += "；".join(_verdict_sentence(plan, v) for v in verdicts) + "。"
        out.append(Paragraph(text, bold_lead=f"{domain.name}（{domain.title}）。"))
    return out


def _notes_section(data: BriefData) -> Section:
    blocks: list[Block] = []
    covered = data.periods_covered
    version = data.data_version if data.data_version is not None else "—"
    vintage = f"，按{data.published_on.isoformat()}发布的数据" if data.published_on else ""
    blocks.append(
        Paragraph(
            f"本简报数据截至{w.period_title(data.period)}{vintage}，数据版本{version}"
            + (f"，覆盖{covered[0]}至{covered[1]}" if covered else "")
            + "。完成率、序时进度、状态与趋势均由监测系统按《监测方法说明》统一计算。",
            bold_lead="数据范围。",
        )
    )
    if data.sources:
        listed = "；".join(f"#{s['upload_id']} {s['file_name']}（{s['values']}个值）" for s in data.sources)
        blocks.append(Paragraph(listed + "。", bold_lead="数据来源。"))
    if data.previous_version is None:
        blocks.append(Paragraph("本范围此前未生成简报。", bold_lead="数据修订。"))
    elif not data.revisions:
        blocks.append(
            Paragraph(
                f"自上期简报（数据版本{data.previous_version}）以来无数据修订。", bold_lead="数据修订。"
            )
        )
    else:
        blocks.append(
            Paragraph(
                f"自上期简报（数据版本{data.previous_version}）以来修订{len(data.revisions)}个值，见下表。",
                bold_lead="数据修订。",
            )
        )
        blocks.append(_revision_table(data))
    if data.missing:
        names = "；".join(f"{m['indicator_name']}（{m['region_name']}）" for m in data.missing[:MAX_LISTED])
        more = f"等{len(data.missing)}项" if len(data.missing) > MAX_LISTED else f"共{len(data.missing)}项"
        blocks.append(
            Paragraph(f"{w.period_title(data.period)}尚缺：{names}{more}。", bold_lead="缺报数据。")
        )
    else:
        blocks.append(Paragraph(f"{w.period_title(data.period)}应报数据均已报送。", bold_lead="缺报数据。"))
    return Section("数据说明", tuple(blocks))


def _revision_table(data: BriefData) -> Table:
    columns = (
        Column("指标", width=20),
        Column("地区", width=8),
        Column("时期", width=8),
        Column("原值", ColumnKind.NUMBER, 12),
        Column("修订值", ColumnKind.NUMBER, 12),
        Column("上传批次", ColumnKind.INTEGER, 8),
    )
    plan = data.plan
    names = {i.code: i.name for i in plan.indicators}
    regions = {r.code: r.short_name for r in plan.regions}
    rows = tuple(
        (
            names.get(str(r["indicator"]), r["indicator"]),
            regions.get(str(r["region"]), r["region"]),
            r["period"],
            r.get("old_value"),
            r.get("new_value"),
            r.get("upload_id"),
        )
        for r in data.revisions[:MAX_LISTED]
    )
    return Table("数据修订", "附表 数据修订", columns, rows)
