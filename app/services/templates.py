"""The upload template workbook: one use case behind the API, `dem template` and the 数据上报 page.

It checks the period and the department, writes the workbook from the plan (`etl.template`) and
names the file, so every edge hands out the same file under the same name
(`数据上报模板_2025Q3_industry_it.xlsx`), with an ASCII fallback for HTTP headers.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from etl.periods import read_period
from etl.template import write_template
from indicators.model import Plan
from indicators.periods import Period

XLSX_SUFFIX = ".xlsx"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NAME_ZH = "数据上报模板"
NAME_ASCII = "template"


class TemplateError(ValueError):
    """A template request the plan cannot serve; `code` is stable (`bad-period`, `unknown-department`, …)."""

    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        self.code, self.message_zh, self.message_en = code, message_zh, message_en
        super().__init__(f"{message_zh} / {message_en}")


@dataclass(frozen=True, slots=True)
class TemplateWorkbook:
    """A generated template: the period it is for, its file name and its bytes."""

    period: Period
    department: str | None
    content: bytes

    @property
    def name(self) -> str:
        """The file name a user sees: 数据上报模板_2025Q3[_department].xlsx."""
        return self._name(NAME_ZH)

    @property
    def ascii_name(self) -> str:
        """The same name in ASCII, for clients that do not read RFC 5987's `filename*`."""
        return self._name(NAME_ASCII)

    @property
    def content_disposition(self) -> str:
        """An attachment header carrying both names (RFC 6266 with RFC 5987's `filename*`)."""
        return f"attachment; filename=\"{self.ascii_name}\"; filename*=UTF-8''{quote(self.name, safe='')}"

    def _name(self, stem: str) -> str:
        return f"{stem}_{self.period}{'_' + self.department if self.department else ''}{XLSX_SUFFIX}"


def template_period(period: str | Period) -> Period:
    """The period a template is asked for, read as people write it (`2025Q3`, `2025年第三季度`)."""
    if isinstance(period, Period):
        return period
    when = read_period(period)
    if when is None:
        raise TemplateError("bad-period", f"时期格式有误：{period}", f"bad period: {period}")
    return when


def template_workbook(*, plan: Plan, period: str | Period, department: str | None = None) -> TemplateWorkbook:
    """The upload template for a period (and optionally one reporting department)."""
    when = template_period(period)
    if department is not None and department not in {d.code for d in plan.departments}:
        raise TemplateError(
            "unknown-department", f"未知部门：{department}", f"unknown department {department}"
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{NAME_ASCII}{XLSX_SUFFIX}"
        try:
            write_template(path, plan=plan, period=when, department=department)
        except ValueError as exc:
            raise TemplateError("no-indicators", "该部门没有上报指标", str(exc)) from None
        return TemplateWorkbook(period=when, department=department, content=path.read_bytes())
