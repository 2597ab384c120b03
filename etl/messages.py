"""Issue messages in Chinese (first) and English, each prefixed with where to look.

`第5行“地区”列：未知地区“太源”` / `row 5, column 地区: unknown region "太源"`; a workbook adds the
sheet (`工作表“2024Q3”第5行…` / `sheet 2024Q3, row 5, …`). Templates are data so that wording can
be reviewed in one place.
"""

from __future__ import annotations

from collections.abc import Mapping

from etl.report import ErrorCode, RowIssue

#: code → (Chinese template, English template); `{value}` is the cell as written.
TEMPLATES: dict[str, tuple[str, str]] = {
    ErrorCode.UNKNOWN_REGION: ("未知地区“{value}”", 'unknown region "{value}"'),
    "unknown-region-empty": ("地区为空", "the region is empty"),
    "unknown-region-missing": (
        "没有地区列，标题和工作表名称中也找不到地区",
        "no region column, and neither the title nor the sheet name names a region",
    ),
    ErrorCode.UNKNOWN_INDICATOR: ("未知指标“{value}”", 'unknown indicator "{value}"'),
    "unknown-indicator-empty": ("指标为空", "the indicator is empty"),
    "unknown-indicator-missing": (
        "没有指标列，标题和工作表名称中也找不到指标",
        "no indicator column, and neither the title nor the sheet name names an indicator",
    ),
    ErrorCode.UNREADABLE_PERIOD: (
        "无法识别的时期“{value}”（可写作 2024Q3、2024年第三季度、2024年1-9月、2024年）",
        'unreadable period "{value}" (write e.g. 2024Q3, 2024年第三季度, 2024年1-9月, 2024年)',
    ),
    "unreadable-period-empty": ("时期为空", "the period is empty"),
    "unreadable-period-missing": (
        "没有时期列，标题和工作表名称中也找不到时期",
        "no period column, and neither the title nor the sheet name gives a period",
    ),
    ErrorCode.FREQUENCY_MISMATCH: (
        "时期“{value}”不符合指标“{indicator}”的报送频率（{frequency_zh}）",
        'period "{value}" does not fit the {frequency} indicator "{indicator}"',
    ),
    ErrorCode.NON_NUMERIC_VALUE: ("数值“{value}”不是数字", 'value "{value}" is not a number'),
    ErrorCode.IMPLAUSIBLE_PERIOD: (
        "时期“{value}”不在可填报范围内（{first_year}年起{last_zh}）：请检查年份是否填错",
        'period "{value}" is outside the plausible range (from {first_year}{last_en}): check the year',
    ),
    ErrorCode.IMPLAUSIBLE_VALUE: (
        "数值“{value}”超出指标“{indicator}”的合理范围（以“{unit}”计，绝对值不超过 {maximum}）："
        "请检查单位和数量级",
        'value "{value}" is beyond what "{indicator}" can plausibly be (at most {maximum} {unit} either '
        "way): check the unit and the magnitude",
    ),
    ErrorCode.EXCEL_ERROR_VALUE: (
        "单元格是 Excel 错误值“{value}”，不是数值：请修正公式或直接填入数值",
        'the cell holds the Excel error "{value}", not a value: fix the formula or enter the number',
    ),
    ErrorCode.FORMULA_WITHOUT_VALUE: (
        "单元格是公式“{value}”，但文件中没有保存计算结果（常见于程序生成、未经 Excel 打开保存的文件）："
        "请用 Excel 打开、保存后重新上传，或直接填入数值",
        'the cell holds the formula "{value}" but the file saved no result for it (typical of files '
        "written by a program and never opened in Excel): open and save it in Excel, or enter the number",
    ),
    ErrorCode.BOOLEAN_VALUE: (
        "单元格是逻辑值“{value}”，不是数值：请填入数值",
        'the cell holds the logical value "{value}", not a number: enter the number',
    ),
    ErrorCode.NEGATIVE_COUNT: (
        "计数指标“{indicator}”不能为负数：{value}",
        'count indicator "{indicator}" cannot be negative: {value}',
    ),
    ErrorCode.UNIT_MISMATCH: (
        "单位“{unit}”无法换算为指标“{indicator}”的单位“{catalog_unit}”",
        'unit "{unit}" cannot be converted to "{catalog_unit}", the unit of "{indicator}"',
    ),
    ErrorCode.DUPLICATE_KEY: (
        "指标“{indicator}”、地区“{region}”、时期 {period} 在文件中重复出现（{rows}）",
        'indicator "{indicator}", region "{region}", period {period} appears more than once ({rows_en})',
    ),
    ErrorCode.REGION_NOT_ALLOWED: (
        "指标“{indicator}”不按{level_zh}报送，“{region}”不可填报（可填报：{levels_zh}）",
        'indicator "{indicator}" is not reported for a {level} such as "{region}" (allowed: {levels})',
    ),
    ErrorCode.UNKNOWN_LAYOUT: (
        "无法识别表格结构，看到的表头为：{value}；需要“指标、地区、时期、数值”列，或首列为地区、表头为指标",
        "cannot understand the table, headers seen: {value}; expected columns indicator, region, "
        "period, value, or regions down the first column with indicators across",
    ),
    ErrorCode.NO_DATA: ("文件中没有可读取的数据", "the file holds no data"),
    ErrorCode.RAGGED_ROW: (
        "该行有 {fields} 个字段，表头有 {header_fields} 个：多出的字段不会被读取。常见原因是数值中"
        '未加引号的千位分隔符（如 20,000 应写作 20000 或 "20,000"），请修正后重新上传',
        "this row has {fields} fields but the header has {header_fields}: the extra field would be "
        'dropped. The usual cause is an unquoted thousands separator (write 20,000 as 20000 or "20,000")',
    ),
    "ragged-row-short": (
        "该行只有 {fields} 个字段，表头有 {header_fields} 个：缺少字段，数值可能错位。"
        "常见原因是漏填了分隔符或整列，请修正后重新上传",
        "this row has only {fields} fields but the header has {header_fields}: a field is missing and "
        "values may be shifted; a separator or a column was probably left out",
    ),
    "ragged-row-sheet": (
        "该行在表头以外的列有内容（该行 {fields} 列，表头 {header_fields} 列）：这些内容不会被读取。"
        "常见原因是数值错位到表头以外的列，或该列缺少表头，请修正后重新上传",
        "this row has content beyond the header ({fields} columns, the header has {header_fields}): "
        "it would be dropped. Usually a value shifted past the header, or a column has no header",
    ),
    ErrorCode.LARGE_CHANGE: (
        "较{basis_zh}（{base_period}：{old}）{direction_zh}{pct}%，超过预警阈值{threshold}%",
        "{direction} {pct}% on {basis} ({base_period}: {old}), above the {threshold}% warning threshold",
    ),
    ErrorCode.STOCK_DECREASED: (
        "存量指标“{indicator}”低于上期（{base_period}：{old}）",
        'stock indicator "{indicator}" fell below the previous period ({base_period}: {old})',
    ),
    ErrorCode.YTD_DECREASED: (
        "累计指标“{indicator}”低于本年上期累计值（{base_period}：{old}）",
        'year-to-date indicator "{indicator}" fell below the earlier period of the year '
        "({base_period}: {old})",
    ),
    ErrorCode.REVISION: (
        "将修订已发布数据：{old} → {new}",
        "revises the published value: {old} → {new}",
    ),
    ErrorCode.CITY_SUM_MISMATCH: (
        "{period}“{region}”报告值 {reported} 与下级地区合计 {total} 相差 {pct}%，超过 {threshold}%",
        '{period} "{region}" reported {reported} but its parts add up to {total} '
        "({pct}% apart, above {threshold}%)",
    ),
}

FREQUENCY_ZH = {"annual": "年度", "quarterly": "季度", "monthly": "月度"}
LEVEL_ZH = {"province": "省", "city": "市", "county": "县", "zone": "功能区"}


def where_zh(sheet: str | None, row: int | None, column: str | None, *, sheet_name: bool = False) -> str:
    """Location prefix in Chinese; `sheet_name` when the problem is in the sheet's name itself."""
    if sheet_name:
        return f"工作表名称“{sheet}”："
    parts = [
        f"工作表“{sheet}”" if sheet else "",
        f"第{row}行" if row else "",
        f"“{column}”列" if column else "",
    ]
    text = "".join(parts)
    return f"{text}：" if text else ""


def where_en(sheet: str | None, row: int | None, column: str | None, *, sheet_name: bool = False) -> str:
    if sheet_name:
        return f"sheet name {sheet}: "
    parts = [
        f"sheet {sheet}" if sheet else "",
        f"row {row}" if row else "",
        f"column {column}" if column else "",
    ]
    text = ", ".join(p for p in parts if p)
    return f"{text}: " if text else ""


def issue(
    code: ErrorCode,
    *,
    sheet: str | None,
    row: int | None,
    column: str | None,
    value: str | None = None,
    template: str | None = None,
    sheet_name: bool = False,
    old: float | None = None,
    new: float | None = None,
    fields: Mapping[str, object] | None = None,
) -> RowIssue:
    """Build a located issue from its template (`template` picks a variant such as `…-empty`)."""
    zh, en = TEMPLATES[template or code]
    fields = fields or {}
    value = shorten(value)
    return RowIssue(
        sheet=sheet,
        row=row,
        column=column,
        code=code,
        severity=code.severity,
        message_zh=where_zh(sheet, row, column, sheet_name=sheet_name) + zh.format(value=value, **fields),
        message_en=where_en(sheet, row, column, sheet_name=sheet_name) + en.format(value=value, **fields),
        value=value,
        old=old,
        new=new,
    )


MAX_VALUE_SHOWN = 100  # characters of a cell quoted in a message (a 10 MB cell must not be quoted whole)


def shorten(text: str | None) -> str | None:
    """A cell's text as a message quotes it: at most `MAX_VALUE_SHOWN` characters."""
    if text is None or len(text) <= MAX_VALUE_SHOWN:
        return text
    return f"{text[:MAX_VALUE_SHOWN]}…（共 {len(text):,} 字符）"


def number_text(value: float) -> str:
    """A number as a message shows it: no trailing `.0`, at most six significant decimals."""
    return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
