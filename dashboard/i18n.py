"""Labels in Chinese (the default) and English; `?lang=en` in the URL switches.

One dict, key → (zh, en). Code identifiers stay English; only what a reader sees is translated.
Names that come from the plan (indicators, regions, departments, tasks) carry their own English,
and `name_of` picks the right one.
"""

from __future__ import annotations

from typing import Any, Literal

from indicators.model import Plan

Lang = Literal["zh", "en"]
DEFAULT_LANG: Lang = "zh"

LABELS: dict[str, tuple[str, str]] = {
    # navigation
    "nav_overview": ("总览", "Overview"),
    "nav_regions": ("地区", "Regions"),
    "nav_departments": ("部门", "Departments"),
    "nav_indicator": ("指标", "Indicator"),
    "nav_uploads": ("数据上报", "Uploads"),
    "nav_tasks": ("任务", "Tasks"),
    "nav_index": ("指数", "Index"),
    "nav_ledger": ("政策兑现", "Policy awards"),
    "nav_methodology": ("方法", "Methodology"),
    "nav_briefs": ("简报", "Briefs"),
    "nav_account": ("我的账户", "My account"),
    "logout": ("退出登录", "Sign out"),
    "switch_lang": ("English", "中文"),
    "methodology_technical": ("技术文档（全部公式）", "Technical document (every formula)"),
    "methodology_guide": ("返回通俗说明", "Back to the readers' page"),
    # composite index
    "index_subtitle": (
        "数字经济发展指数：四个维度，按与 2025 年参考值的距离标准化",
        "Digital economy development index: four pillars, normalised by distance to 2025 references",
    ),
    "index_total": ("总指数", "Index"),
    "index_pillar": ("维度", "Pillar"),
    "index_weight": ("权重", "Weight"),
    "index_value": ("指数", "Value"),
    "index_coverage": ("覆盖率", "Coverage"),
    "index_city": ("城市", "City"),
    "index_province": ("全省", "Province"),
    "index_ranking": ("各市排名", "City ranking"),
    "index_withheld": ("覆盖率不足，未发布", "Coverage too low: not published"),
    "index_none": ("尚无可发布的指数（数据覆盖率不足）", "No index can be published yet (coverage too low)"),
    "index_method": (
        "100 = 达到 2025 年参考值（市：全省参考值的 1/11）；"
        "单项得分上限 {cap}；覆盖率低于 {coverage} 不发布。",
        "100 = the 2025 reference reached (a city: 1/11 of the province's); scores capped at {cap}; "
        "not published below {coverage} coverage.",
    ),
    "index_method_link": ("计算方法", "How it is computed"),
    # shared
    "as_of": ("截至", "As of"),
    "indicator": ("指标", "Indicator"),
    "region": ("地区", "Region"),
    "department": ("部门", "Department"),
    "period": ("时期", "Period"),
    "value": ("数值", "Value"),
    "unit": ("单位", "Unit"),
    "status": ("状态", "Status"),
    "no_data": ("暂无数据", "No data yet"),
    "forbidden": ("您的角色无权使用此页面。", "Your role may not use this page."),
    "province": ("全省", "Province"),
    # overview
    "freshness": ("数据更新", "Data freshness"),
    "latest_period": ("最新数据期", "Latest period"),
    "last_publication": ("最近发布", "Last publication"),
    "never_reported": ("从未上报的指标", "Indicators never reported"),
    "beijing_time": ("北京时间", "Beijing time"),
    "status_counts": ("目标状态", "Targets by status"),
    "targets": ("重点目标", "Headline targets"),
    "trajectories": ("进度轨迹", "Trajectories"),
    "more_trajectories": (
        "另有 {n} 项指标的轨迹见指标页",
        "The trajectories of {n} more indicators are on the indicator page",
    ),
    "current": ("当前值", "Current"),
    "target": ("目标", "Target"),
    "target_year": ("{year}年目标", "{year} target"),
    "deadline": ("{year}年底", "end of {year}"),
    "completion": ("完成率", "Completion"),
    "expected_completion": ("序时进度", "Expected by now"),
    "schedule_gap": ("序时差", "Gap to schedule"),
    "schedule_gap_pp": ("序时差（百分点）", "Gap to schedule (pp)"),
    "ahead_of_schedule": ("快于序时进度 {pp} 个百分点", "{pp} pp ahead of schedule"),
    "behind_schedule": ("慢于序时进度 {pp} 个百分点", "{pp} pp behind schedule"),
    "on_schedule": ("与序时进度持平", "exactly on schedule"),
    "trend": ("趋势", "Trend"),
    "verdict": ("结果", "Verdict"),
    "verdict_missed": ("差{margin}未完成", "Missed by {margin}"),
    "verdict_achieved": ("{year}年达到", "Reached in {year}"),
    "provisional": ("暂判", "Provisionally"),
    "awaiting_note": (
        "已过期限，{period} 数据尚未发布；暂按最新数据判断",
        "Deadline passed; the {period} value is not published yet, judged provisionally on the latest data",
    ),
    "projection": ("预测", "Projection"),
    "projected_at": ("按当前增速，{year}年底约 {value}", "At the current pace, about {value} by end {year}"),
    "reached_in": ("约 {year} 年达到目标", "target reached around {year}"),
    "growth_needed": ("尚需每季度增长 {rate}", "needs {rate} growth per quarter"),
    "why": ("为什么？", "Why?"),
    "explanation": ("判定依据", "How this status was decided"),
    "actual": ("实际值", "Actual"),
    "expected_path": ("序时路径", "Expected path"),
    "projected": ("预测", "Projection"),
    "milestones": ("定性目标（由部门进展跟踪）", "Qualitative goals (tracked by department notes)"),
    # regions
    "city_map": ("各市分布", "Cities"),
    "ranking": ("排名", "Ranking"),
    "rank": ("排名", "Rank"),
    "share": ("占全省比重", "Share of province"),
    "contribution": ("增长贡献率", "Contribution to growth"),
    "yoy": ("同比", "YoY"),
    "qoq": ("环比", "QoQ"),
    "change_since_base": ("较基期增加", "Change since base"),
    "baseline": ("基期", "Base period"),
    "zone_note": (
        "综改示范区与太原、晋中重叠，不计入合计，地图中不单列。",
        "The reform zone overlaps Taiyuan and Jinzhong, is never summed and is not drawn.",
    ),
    "schematic_note": (
        "示意图：方块按各市大致地理位置排列，不代表行政区划边界。",
        "Schematic: tiles sit roughly where the cities are; they are not boundaries.",
    ),
    "city_detail": ("城市详情", "City detail"),
    "all_indicators": ("全部指标", "All indicators"),
    "city_targets": ("本市目标", "Targets of this city"),
    "no_city_targets": (
        "规划未对本市单列数值目标；本市对全省目标的贡献见上表的比重与贡献率。",
        "The plan sets no numeric target for this city alone; its part in the province's targets "
        "is the share and contribution above.",
    ),
    "back_to_regions": ("← 返回地区总览", "← Back to regions"),
    # departments
    "tasks_led": ("牵头任务", "Tasks led"),
    "tasks_supported": ("配合任务", "Tasks supported"),
    "lead": ("牵头", "Lead"),
    "support": ("配合", "Support"),
    "dept_targets": ("相关目标进展", "Targets in scope"),
    "dept_indicators": ("监测指标", "Indicators in scope"),
    "notes": ("季度工作进展", "Quarterly progress notes"),
    "note_task": ("任务", "Task"),
    "note_period": ("季度", "Quarter"),
    "note_status": ("进展状态", "Progress"),
    "note_text": ("进展情况", "What was done"),
    "note_save": ("保存进展", "Save note"),
    "note_saved": ("已保存。", "Saved."),
    "note_empty": ("请填写进展情况。", "Please describe the progress."),
    "notes_none": ("尚无进展填报。", "No notes yet."),
    "notes_readonly": (
        "只有本部门用户和管理员可以填报进展。",
        "Only this department's users and administrators write notes.",
    ),
    "notes_no_open_period": ("目前没有可填报的季度。", "No quarter is open for notes now."),
    "author": ("填报人", "Author"),
    "updated": ("更新时间", "Updated"),
    # indicator
    "series_province": ("全省走势", "Province"),
    "series_cities": ("各市走势", "Cities"),
    "recent_values": ("近期数值", "Recent values"),
    "metadata": ("指标说明", "About this indicator"),
    "definition": ("定义", "Definition"),
    "frequency": ("频率", "Frequency"),
    "measure": ("口径", "Measure"),
    "reporting_department": ("报送部门", "Reported by"),
    "linked_tasks": ("关联任务", "Linked tasks"),
    "policy_clause": ("政策条款", "Policy clause"),
    "source": ("数据来源", "Source"),
    "provenance": ("数据来源记录", "Provenance"),
    "upload": ("上报批次", "Upload"),
    "file": ("文件", "File"),
    "uploaded_by": ("上报人", "Uploaded by"),
    "published_at": ("发布时间", "Published"),
    "history": ("修订记录", "Revisions"),
    "history_hint": ("点击时期查看该数值的修订记录。", "Click a period to see its revisions."),
    "action": ("操作", "Action"),
    # uploads
    "upload_title": ("上传数据文件", "Upload a data file"),
    "upload_hint": (
        "将 Excel（.xlsx、.xlsm、.xls）或 CSV 文件拖到此处，或点击选择文件",
        "Drag an Excel (.xlsx, .xlsm, .xls) or CSV file here, or click to choose one",
    ),
    "obs_action_publish": ("发布", "Published"),
    "obs_action_rollback": ("回滚", "Rolled back"),
    "obs_action_retract": ("撤回", "Withdrawn"),
    "revision_reason": ("发布说明", "Reason"),
    "period_locked_note": (
        "{period}已于统计部门锁定（{by}），修订需先解锁或注明“年报修订”。",
        "{period} is locked ({by}); a revision needs an unlock or a reason marked 年报修订 (annual revision)",
    ),
    "locks_title": ("时期锁定", "Period locks"),
    "locks_none": ("暂无锁定的时期。", "No period is locked."),
    "locked_badge": ("已锁定", "Locked"),
    "lock_hint": (
        "锁定后，修订该时期的数据须先解锁，或由统计部门在发布说明中注明“年报修订”。",
        "Once locked, revising the period needs an unlock, or the bureau with a reason marked 年报修订.",
    ),
    "locked_periods": ("已锁定时期", "Locked periods"),
    "lock": ("锁定", "Lock"),
    "unlock": ("解锁", "Unlock"),
    "locked_done": ("已锁定 {period}。", "{period} locked."),
    "unlocked_done": ("已解锁 {period}。", "{period} unlocked."),
    "reason_required_hint": (
        "本文件将修订 {n} 个已发布数值：发布前须填写发布说明（修订原因），说明将记入各数值的修订历史。",
        "This file revises {n} published values: give a reason before publishing; it is kept in each "
        "value's history.",
    ),
    "reason_required": ("发布说明（必填：修订原因）", "Reason (required: why values are revised)"),
    "reminders_title": ("催报通知", "Reporting reminders"),
    "reminder_banner": (
        "有 {n} 条催报通知：{period} 尚有 {missing} 个数值未报送，报送截止 {due}。",
        "{n} reminder(s): {missing} values for {period} not yet reported, due {due}.",
    ),
    "reminder_due": ("截止日期", "Due"),
    "reminder_missing": ("未报数值", "Missing values"),
    "reminder_created": ("通知时间", "Sent"),
    "reminder_export": ("下载催报单", "Download notice"),
    "upload_unreadable": ("文件无法读取，请重新选择文件。", "The file could not be read; choose it again."),
    "upload_rejected": (
        "文件有错误，未写入任何数据。请修改后重新上传。",
        "The file has errors; nothing was written.",
    ),
    "upload_staged": ("校验通过，已暂存，尚未发布。", "Valid and staged; not yet published."),
    "upload_duplicate": (
        "此文件此前已上传（#{id}，{status}）。",
        "This file was uploaded before (#{id}, {status}).",
    ),
    "rows_read": ("读取行数", "Rows read"),
    "values_count": ("数值个数", "Values"),
    "errors": ("错误", "Errors"),
    "warnings": ("警告", "Warnings"),
    "sheet": ("工作表", "Sheet"),
    "row": ("行", "Row"),
    "column": ("列", "Column"),
    "code": ("问题类型", "Issue"),
    # issue types of a validation report (the stable codes stay in the cell's tooltip)
    "issue_file-type-mismatch": ("文件类型不符", "File type mismatch"),
    "issue_unsupported-file-type": ("不支持的文件类型", "Unsupported file type"),
    "issue_unreadable-encoding": ("无法识别编码", "Unreadable encoding"),
    "issue_no-data": ("没有数据", "No data"),
    "issue_unknown-layout": ("无法识别表格结构", "Unknown layout"),
    "issue_ragged-row": ("字段数与表头不符", "Row width differs from header"),
    "issue_unknown-region": ("未知地区", "Unknown region"),
    "issue_unknown-indicator": ("未知指标", "Unknown indicator"),
    "issue_unreadable-period": ("无法识别时期", "Unreadable period"),
    "issue_frequency-mismatch": ("报送频率不符", "Frequency mismatch"),
    "issue_non-numeric-value": ("数值无法识别", "Not a number"),
    "issue_negative-count": ("数量为负", "Negative count"),
    "issue_unit-mismatch": ("单位无法换算", "Unit mismatch"),
    "issue_duplicate-key": ("重复数据", "Duplicate value"),
    "issue_region-not-allowed": ("地区层级不适用", "Region level not allowed"),
    "issue_large-change": ("变动过大", "Large change"),
    "issue_city-sum-mismatch": ("各市合计不符", "City sum mismatch"),
    "issue_stock-decreased": ("存量减少", "Stock decreased"),
    "issue_ytd-decreased": ("累计值减少", "Year-to-date decreased"),
    "issue_revision": ("修订已发布数据", "Revises a published value"),
    "issue_indicator-not-permitted": ("无权上报该指标", "Indicator not permitted"),
    "issue_empty-file": ("空文件", "Empty file"),
    "issue_unbalanced-quote": ("引号未闭合", "Unclosed quote"),
    "issue_malformed-csv": ("CSV 格式有误", "Malformed CSV"),
    "issue_too-many-rows": ("行数超过上限", "Too many rows"),
    "issue_too-many-columns": ("列数超过上限", "Too many columns"),
    "issue_too-many-cells": ("单元格数超过上限", "Too many cells"),
    "issue_archive-too-large": ("解压后过大", "Too large uncompressed"),
    "issue_malformed-workbook": ("工作簿内容损坏", "Malformed workbook"),
    "issue_read-memory-exceeded": ("读取所需内存超限", "Reading needed too much memory"),
    "issue_read-time-exceeded": ("读取超时", "Reading took too long"),
    "issue_read-failed": ("读取失败", "Reading failed"),
    "issue_excel-error-value": ("Excel 错误值", "Excel error value"),
    "issue_formula-without-value": ("公式无计算结果", "Formula without a result"),
    "issue_boolean-value": ("逻辑值不是数值", "TRUE/FALSE is not a number"),
    "issue_implausible-period": ("时期不在合理范围", "Implausible period"),
    "issue_implausible-value": ("数值超出合理范围", "Implausible value"),
    "issue_invalid-credit-code": ("统一社会信用代码有误", "Invalid credit code"),
    "issue_unknown-policy-item": ("未知政策条款", "Unknown policy item"),
    "issue_invalid-basis": ("依据数值有误", "Invalid basis figure"),
    "issue_missing-value": ("缺少必填值", "Missing value"),
    "issue_unknown-column": ("无法识别的列", "Unknown column"),
    "issue_item-not-permitted": ("无权申报该条款", "Item not permitted"),
    "message": ("说明", "Message"),
    "diff": ("与已发布数据对比", "Against published values"),
    "diff_new": ("新增", "New"),
    "diff_revised": ("修订", "Revised"),
    "diff_unchanged": ("不变", "Unchanged"),
    "old_value": ("原值", "Published"),
    "new_value": ("新值", "New"),
    "confirm_warnings": ("我已阅读以上警告，确认发布", "I have read the warnings above; publish anyway"),
    "reason": ("发布说明（修订已发布数据时必填）", "Reason (required when published values are revised)"),
    "publish": ("发布", "Publish"),
    "staged_against": ("暂存时", "When staged"),
    "published_now": ("现在", "Now"),
    "publish_again": (
        "请核对上表后再次点击“发布”（修订已发布数据时填写发布说明）。",
        "Review the table above, then press Publish again (give a reason where values are revised).",
    ),
    "reject": ("放弃", "Discard"),
    "published": ("已发布 {n} 个数值（上报 #{id}）。", "Published {n} values (upload #{id})."),
    "rejected_done": ("已放弃上报 #{id}。", "Upload #{id} discarded."),
    "upload_history": ("上报记录", "Upload history"),
    "rollback": ("回滚", "Roll back"),
    "rollback_confirm": (
        "确定回滚上报 #{id}？此前的数值将恢复。",
        "Roll back upload #{id}? Earlier values return.",
    ),
    "rolled_back": ("已回滚上报 #{id}，恢复 {n} 个数值。", "Rolled back upload #{id}; {n} values restored."),
    "completeness": ("报送完整性", "Completeness"),
    "received": ("已报送", "Received"),
    "missing": ("未报送", "Missing"),
    "late": ("逾期未报", "Late"),
    "not_expected": ("不需报送", "Not expected"),
    "departments_not_reported": ("尚未报齐的部门", "Departments not fully reported"),
    "template": ("下载填报模板", "Download the template"),
    "template_all": ("全部部门", "All departments"),
    "download": ("下载", "Download"),
    "upload_status_staged": ("已暂存", "Staged"),
    "upload_status_published": ("已发布", "Published"),
    "upload_status_rejected": ("已放弃", "Discarded"),
    "upload_status_rolled_back": ("已回滚", "Rolled back"),
    "id": ("编号", "No."),
    "time": ("时间", "Time"),
    # tasks
    "task_search": ("搜索任务、部门或指标…", "Search tasks, departments or indicators…"),
    "task_count": ("共 {n} 项任务", "{n} tasks"),
    "clause": ("条款", "Clause"),
    "latest_note": ("最新进展", "Latest note"),
    # briefs: the export panel and the briefs page
    "brief_export": ("导出监测简报", "Export the monitoring brief"),
    "brief_export_hint": (
        "按当前所选时期生成{scope}监测简报，生成后自动下载，并列入简报页面。",
        "Generates the brief for {scope} at the period shown; it downloads and is listed on the Briefs page.",
    ),
    "brief_format": ("格式", "Format"),
    "brief_generate": ("生成并下载", "Generate and download"),
    "brief_made": ("已生成《{title}》（数据版本 {version}）。", "Made “{title}” (data version {version})."),
    "brief_bad_request": ("时期或格式有误，请刷新页面后重试。", "Unknown period or format; reload the page."),
    "briefs_title": ("监测简报", "Monitoring briefs"),
    "briefs_made": ("已生成的简报", "Briefs generated"),
    "final_export": ("导出终期评估", "Export the final evaluation"),
    "final_export_hint": (
        "生成规划终期评估：每项目标在期限时是否完成及差距、各部门工作进展和分领域评估；生成后自动下载，并列入上表。",
        "The plan's final evaluation: each target at its deadline (met or not, by how much), the "
        "departments' progress and an assessment per domain; it downloads and is listed above.",
    ),
    "briefs_none": ("尚未生成简报。", "No briefs yet."),
    "briefs_own_only": ("仅显示本部门的简报。", "Only your department's briefs are shown."),
    "briefs_schedule": (
        "每季度结束后第 {day} 天起，系统自动生成全省和各部门上一季度的简报。",
        "From day {day} after each quarter ends, the province's and every department's brief for that "
        "quarter are generated automatically.",
    ),
    "brief_id": ("编号", "No."),
    "brief_name": ("标题", "Title"),
    "brief_scope": ("范围", "Scope"),
    "data_version": ("数据版本", "Data version"),
    "made_by": ("生成人", "Made by"),
    "made_at": ("生成时间", "Made at"),
    "brief_reproduces": ("重现 #{id}", "reproduces #{id}"),
    "brief_vintage": ("按 {date} 发布的数据", "data as published on {date}"),
    "final_evaluation": ("终期评估", "Final evaluation"),
    # the account page: who you are, your API tokens
    "account_title": ("我的账户", "My account"),
    "account_who": ("账户信息", "Account"),
    "account_username": ("用户名", "User name"),
    "account_name": ("姓名", "Name"),
    "account_role": ("角色", "Role"),
    "account_department": ("所属部门", "Department"),
    "account_demo": (
        "演示模式下的访客没有账户，也不能创建令牌。请登录后使用。",
        "The demo visitor has no account and cannot create tokens. Sign in to use this page.",
    ),
    "tokens_title": ("API 令牌", "API tokens"),
    "tokens_hint": (
        "令牌供程序调用接口使用（请求头 Authorization: Bearer …），有效期 {days} 天；"
        "修改密码或停用账户时全部撤销。",
        "Tokens let programs call the API (header Authorization: Bearer …); they last {days} days and are "
        "all revoked when the password changes or the account is disabled.",
    ),
    "tokens_none": ("尚无令牌。", "No tokens yet."),
    "token_id": ("编号", "No."),
    "token_label": ("名称", "Name"),
    "token_created": ("创建时间", "Created"),
    "token_used": ("最近使用", "Last used"),
    "token_expires": ("到期时间", "Expires"),
    "token_state": ("状态", "State"),
    "token_live": ("有效", "Live"),
    "token_expired": ("已过期", "Expired"),
    "token_revoked": ("已撤销", "Revoked"),
    "token_revoke": ("撤销", "Revoke"),
    "token_revoke_confirm": (
        "撤销令牌 #{id}？使用它的程序将无法再调用接口。",
        "Revoke token #{id}? Programs using it lose access.",
    ),
    "token_revoked_done": ("令牌 #{id} 已撤销。", "Token #{id} is revoked."),
    "token_name_placeholder": ("令牌名称，例如：月度报表脚本", "Token name, e.g. monthly report script"),
    "token_create": ("创建令牌", "Create token"),
    "token_created_once": (
        "令牌 #{id} 已创建，到期 {expires}。下面的令牌只显示这一次，请立即复制保存：",
        "Token #{id} is created and expires {expires}. It is shown only this once: copy it now:",
    ),
    # methodology
    "methodology_missing": ("未找到方法说明文件。", "The methodology document was not found."),
}

ROLE_LABELS: dict[str, tuple[str, str]] = {
    "admin": ("系统管理员", "Administrator"),
    "bureau": ("统计部门", "Statistics bureau"),
    "department": ("责任部门", "Department"),
    "leader": ("领导", "Leadership"),
}

FREQUENCY_LABELS: dict[str, tuple[str, str]] = {
    "annual": ("年度", "annual"),
    "quarterly": ("季度", "quarterly"),
    "monthly": ("月度", "monthly"),
}

MEASURE_LABELS: dict[str, tuple[str, str]] = {
    "stock": ("期末存量", "level at period end"),
    "flow": ("累计值（年初至今）", "year-to-date cumulative"),
    "rate": ("比率或价格", "ratio or price"),
}


def lang_of(value: Any) -> Lang:
    """The language a query asks for; anything but `en` is Chinese."""
    return "en" if str(value or "").lower().startswith("en") else DEFAULT_LANG


def t(key: str, lang: Lang, **values: Any) -> str:
    """The label for `key` in `lang`, with `{placeholders}` filled in."""
    zh, en = LABELS[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def monitor_name(plan: Plan, lang: Lang) -> str:
    """The header's name of the system, from the plan's province (a second province's plan shows its own)."""
    return plan.monitor_name_en if lang == "en" else plan.monitor_name


def plan_document(plan: Plan, lang: Lang) -> str:
    return (plan.document_en or plan.document) if lang == "en" else plan.document


def pick(pair: tuple[str, str], lang: Lang) -> str:
    """One side of a (zh, en) pair."""
    return pair[1] if lang == "en" and pair[1] else pair[0]


def name_of(item: Any, lang: Lang) -> str:
    """A plan object's name: short Chinese name, or its English name when asked and present."""
    english = getattr(item, "name_en", "") or getattr(item, "title_en", "")
    if lang == "en" and english:
        return str(english)
    for attribute in ("short_name", "name", "title"):
        value = getattr(item, attribute, "")
        if value:
            return str(value)
    return str(getattr(item, "code", ""))
