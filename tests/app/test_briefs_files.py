"""Generated briefs, opened as a reader opens them, against the progress service on the sample data.

Each scope's brief is generated once per module (Word and Excel; the PDFs in their own slow fixture)
on a DuckDB file holding every sample upload, plus one progress note whose text is hostile to
spreadsheets. Every number in a file is compared with what the progress service (or the dashboard's
region view, or the city breakdown) returns for the same scope and period, never with a constant.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from app.auth.roles import Role
from app.briefs import wording as w
from app.briefs.excel import escape_text
from app.config import Settings
from app.services import briefs as svc
from app.services import progress as progress_service
from app.services import series as series_service
from app.services.accounts import User
from app.services.notes import NoteInput, NoteStatus, save_note
from app.services.samples import load_samples
from app.services.setup import init_database
from app.store.engine import make_engine
from indicators.plan import DEFAULT_PLAN, load_plan
from tests.conftest import REPO_ROOT

SAMPLE_DIR = REPO_ROOT / "data" / "sample"
ADMIN = User(id=1, username="admin_t", display_name="管理员", role=Role.ADMIN, department=None)
SCOPES = ["province", "department:industry_it", "region:140100", "final"]
NOW = dt.datetime(2026, 12, 1, 2, 0)  # 10:00 in Beijing
HOSTILE = '=HYPERLINK("http://evil.example","点我")'
HOSTILE_TASK = "net-3"  # led by 省工信厅


def _slug(scope: str) -> str:
    return scope.replace(":", "_")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("briefs")
    engine = make_engine(f"duckdb:///{folder / 'dem.duckdb'}")
    plan = load_plan(DEFAULT_PLAN)
    init_database(engine=engine, plan_path=DEFAULT_PLAN)
    load_samples(engine=engine, plan=plan, sample_dir=SAMPLE_DIR)
    period = svc.last_complete_quarter(today=dt.date(2026, 12, 1))
    writer = User(
        id=3, username="dept_t", display_name="工信厅", role=Role.DEPARTMENT, department="industry_it"
    )
    save_note(
        engine=engine,
        plan=plan,
        actor=writer,
        note=NoteInput("industry_it", HOSTILE_TASK, str(period), NoteStatus.IN_PROGRESS, HOSTILE),
        edit_days=3650,
        now=NOW - dt.timedelta(days=1),
    )
    settings = Settings(database_url=str(engine.url), brief_dir=folder / "briefs")
    yield {"engine": engine, "plan": plan, "settings": settings, "folder": folder, "period": period}
    engine.dispose()


def _generate(sample: dict[str, Any], scope: str, fmt: svc.BriefFormat) -> svc.BriefRecord:
    plan = sample["plan"]
    return svc.generate_brief(
        engine=sample["engine"],
        plan=plan,
        settings=sample["settings"],
        actor=ADMIN,
        scope=svc.BriefScope.parse(scope, plan=plan),
        period=None,
        fmt=fmt,
        output=sample["folder"] / f"{_slug(scope)}.{fmt}",
        now=NOW,
    )


@pytest.fixture(scope="module")
def files(sample: dict[str, Any]) -> dict[tuple[str, str], svc.BriefRecord]:
    return {
        (scope, str(fmt)): _generate(sample, scope, fmt)
        for scope in SCOPES
        for fmt in (svc.BriefFormat.DOCX, svc.BriefFormat.XLSX)
    }


def _progress(sample: dict[str, Any], scope: str) -> list[dict[str, Any]]:
    kind, _, code = scope.partition(":")
    query = progress_service.ProgressQuery(
        as_of=str(sample["period"]), department=code if kind == "department" else None
    )
    return progress_service.progress_records(engine=sample["engine"], plan=sample["plan"], query=query)


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += ["|".join(c.text for c in row.cells) for row in table.rows]
    return "\n".join(parts)


def _sheet_rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    workbook = openpyxl.load_workbook(path)
    return [r for r in workbook[sheet].iter_rows(min_row=4, values_only=True)]


# ------------------------------------------------------------------------------------ the record
def test_every_brief_records_its_data_version_sha256_and_author(
    sample: dict[str, Any], files: dict[tuple[str, str], svc.BriefRecord]
) -> None:
    version = progress_service.data_version(engine=sample["engine"])
    listed = {r.id: r for r in svc.list_briefs(engine=sample["engine"], actor=ADMIN)}
    for record in files.values():
        assert record.data_version == version
        assert record.period == str(sample["period"])
        assert record.created_by == ADMIN.username
        assert listed[record.id].sha256 == record.sha256
        digest = subprocess.run(["sha256sum", record.path], capture_output=True, text=True, check=True)
        assert digest.stdout.split()[0] == record.sha256


def test_the_default_period_is_the_last_complete_quarter(
    files: dict[tuple[str, str], svc.BriefRecord], sample: dict[str, Any]
) -> None:
    """In December 2026 the last complete quarter is 2026Q3, in July 2026 it is 2026Q2; the samples'
    latest period is 2026Q3 (data/sample/2026Q3_…), so the brief of December 2026 is for 2026Q3."""
    assert progress_service.latest_period(engine=sample["engine"]) == "2026Q3"
    assert str(svc.last_complete_quarter(today=dt.date(2026, 12, 1))) == "2026Q3"
    assert str(svc.last_complete_quarter(today=dt.date(2026, 7, 1))) == "2026Q2"
    assert {r.period for r in files.values()} == {"2026Q3"}


# ------------------------------------------------------------------------------------ docx
@pytest.mark.parametrize("scope", ["province", "department:industry_it"])
def test_the_docx_says_what_the_progress_service_says(
    sample: dict[str, Any], files: dict[tuple[str, str], svc.BriefRecord], scope: str
) -> None:
    text = _docx_text(Path(files[(scope, "docx")].path))
    records = _progress(sample, scope)
    assert records
    plan = sample["plan"]
    for record in records:
        assert record["status_zh"] in text
        if scope != "final":
            flow = (
                plan.indicator(record["indicator"]).measure == "flow"
                and plan.indicator(record["indicator"]).frequency != "annual"
            )
            assert w.target_sentence(record, flow=flow) in text
    subject = f"截至{w.period_short(str(sample['period']))}，全省"
    if scope == "province":
        assert w.status_counts_sentence(records, subject=subject) in text


@pytest.mark.parametrize("scope", ["province", "department:industry_it"])
def test_the_docx_target_table_has_the_services_numbers(
    sample: dict[str, Any], files: dict[tuple[str, str], svc.BriefRecord], scope: str
) -> None:
    table = docx.Document(files[(scope, "docx")].path).tables[0]
    header = [c.text for c in table.rows[0].cells]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    records = _progress(sample, scope)
    assert len(rows) == len(records)
    for row, record in zip(rows, records, strict=True):
        cell = dict(zip(header, row, strict=True))
        assert cell["完成率"] == w.percent(record["completion"])
        assert cell["序时进度"] == w.percent(record["expected_completion"])
        assert cell["序时差(百分点)"] == w.points(record["schedule_gap_pp"])
        assert cell["当前值"] == w.number(record["current"])
        assert cell["状态"] == record["status_zh"]
        assert cell["时期"] == record["current_period"]


def test_the_docx_is_a4_with_government_fonts_and_page_numbers(
    files: dict[tuple[str, str], svc.BriefRecord],
) -> None:
    document = docx.Document(files[("province", "docx")].path)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    footer = section.footer._element.xml
    assert "PAGE" in footer and "— " in section.footer.paragraphs[0].text
    fonts = set(re.findall(r'w:eastAsia="([^"]+)"', document.element.xml))
    assert {"黑体", "仿宋_GB2312", "方正小标宋简体"} <= fonts
    assert len(document.inline_shapes) >= 3  # status, trajectory and city ranking charts


def test_the_city_brief_gives_the_citys_values_rank_and_share(
    sample: dict[str, Any], files: dict[tuple[str, str], svc.BriefRecord]
) -> None:
    rows = series_service.region_indicators(
        engine=sample["engine"], plan=sample["plan"], region="140100", as_of=str(sample["period"])
    )
    records = [r for r in progress_service.records(rows) if r.get("value") is not None]
    text = _docx_text(Path(files[("region:140100", "docx")].path))
    sheet = {r[0]: r for r in _sheet_rows(Path(files[("region:140100", "xlsx")].path), "主要指标")}
    assert records
    for record in records:
        assert sheet[record["name"]][3] == pytest.approx(record["value"], rel=1e-12)
        if record.get("rank") is not None:
            assert sheet[record["name"]][6] == f"{record['rank']}/{record['peers']}"
    assert "太原市" in text and "居全省第" in text


# ------------------------------------------------------------------------------------ xlsx
@pytest.mark.parametrize("scope", ["province", "department:industry_it"])
def test_the_xlsx_target_sheet_holds_the_services_numbers_as_numbers(
    sample: dict[str, Any], files: dict[tuple[str, str], svc.BriefRecord], scope: str
) -> None:
    path = Path(files[(scope, "xlsx")].path)
    rows = _sheet_rows(path, "目标进展")
    records = _progress(sample, scope)
    assert len(rows) == len(records)
    for row, record in zip(rows, records, strict=True):
        assert row[4] == pytest.approx(record["current"], rel=1e-12)
        assert row[6] == pytest.approx(record["completion"], rel=1e-12)
        assert row[9] == record["status_zh"]
    sheet = openpyxl.load_workbook(path)["目标进展"]
    assert sheet.freeze_panes == "B4"
    assert sheet["G4"].number_format == "0.0%"
    assert sheet.column_dimensions["A"].width >= 16


def test_the_final_evaluation_judges_each_target_at_its_deadline(
    sample: dict[str, Any], files: dict[tuple[str, str], svc.BriefRecord]
) -> None:
    """Each target's verdict is the progress service's status as of the deadline's last quarter."""
    rows = {(r[0], r[2]): r for r in _sheet_rows(Path(files[("final", "xlsx")].path), "终期评估")}
    plan, engine = sample["plan"], sample["engine"]
    labels = {"achieved": "按期完成", "missed": "未按期完成"}
    for year in sorted({t.year for t in plan.numeric_targets}):
        query = progress_service.ProgressQuery(as_of=f"{year}Q4", year=year)
        for record in progress_service.progress_records(engine=engine, plan=plan, query=query):
            row = rows[(record["name"], year)]
            assert row[4] == pytest.approx(record["current"], rel=1e-12)
            assert row[6] == labels.get(record["status"], record["status_zh"])
            assert row[7] == pytest.approx(record["current"] - record["target"], rel=1e-12)
    text = _docx_text(Path(files[("final", "docx")].path))
    met = sum(1 for r in rows.values() if r[6] == "按期完成")
    assert f"规划确定的{len(rows)}项量化目标中，按期完成{met}项" in text
    for domain in ("网", "智", "数", "器", "芯"):
        assert f"{domain}（" in text


def test_no_cell_of_any_workbook_is_a_formula_and_hostile_text_is_escaped(
    files: dict[tuple[str, str], svc.BriefRecord],
) -> None:
    """The hostile note (=HYPERLINK…) reaches the department's task sheet as text with an apostrophe."""
    found = []
    for (scope, fmt), record in files.items():
        if fmt != "xlsx":
            continue
        workbook = openpyxl.load_workbook(record.path)
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (scope, sheet.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                        found.append(cell.value)
    assert "'" + HOSTILE in found


@pytest.mark.parametrize(
    ("text", "escaped"),
    [("=1+1", "'=1+1"), ("+86 351", "'+86 351"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("太原", "太原")],
)
def test_escape_text(text: str, escaped: str) -> None:
    assert escape_text(text) == escaped


# ------------------------------------------------------------------------------------ pdf
@pytest.fixture(scope="module")
def pdfs(sample: dict[str, Any]) -> dict[str, svc.BriefRecord]:
    return {scope: _generate(sample, scope, svc.BriefFormat.PDF) for scope in SCOPES}


@pytest.mark.slow
@pytest.mark.parametrize("scope", SCOPES)
def test_the_pdf_text_carries_the_title_statuses_and_numbers(
    sample: dict[str, Any], pdfs: dict[str, svc.BriefRecord], scope: str
) -> None:
    done = subprocess.run(
        ["pdftotext", "-layout", pdfs[scope].path, "-"], capture_output=True, text=True, check=True
    )
    flat = re.sub(r"\s+", "", done.stdout)
    assert re.sub(r"\s+", "", pdfs[scope].title) in flat
    assert "—1—" in flat
    if scope == "final":
        assert f"规划确定的{len(sample['plan'].numeric_targets)}项量化目标中" in flat
        return
    for record in _progress(sample, scope) if scope != "region:140100" else []:
        assert record["status_zh"] in flat
        assert w.percent(record["completion"]) in flat
