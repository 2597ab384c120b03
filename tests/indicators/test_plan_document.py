"""The Shanxi plan file must agree with the policy document it encodes (晋政发〔2021〕25号).

The document (docs/policy/jinzhengfa-2021-25.md) is the source of truth. These tests read it and the plan
TOML directly (tomllib, not the loader API) and check the 责任单位 clauses, the 专栏 items, the 22 若干政策
items and the numeric targets.

The markdown is a conversion of the printed document: a page break shows up as a blank line in the middle
of a sentence (even in the middle of a word or of a 责任单位 clause), so paragraphs are re-joined first.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
DOCUMENT = ROOT / "docs" / "policy" / "jinzhengfa-2021-25.md"
PLAN_FILE = ROOT / "indicators" / "plans" / "shanxi_2021.toml"

CLAUSE = re.compile(r"\(责任单位:([^)]*)\)$")
SENTENCE_END = ("。", ")", ":", "：", "）")


def _starts_block(line: str) -> bool:
    return line.startswith(("#", "**", "(责任单位", "---")) or re.match(r"^\d+\. ", line) is not None


def logical_paragraphs(markdown: str) -> list[str]:
    """Non-empty lines, with paragraphs broken by a page break joined again."""
    out: list[str] = []
    for line in (raw.strip() for raw in markdown.split("\n")):
        if not line:
            continue
        if (
            out
            and not out[-1].startswith(("#", "---"))
            and not out[-1].endswith(SENTENCE_END)
            and not _starts_block(line)
        ):
            out[-1] += line
        else:
            out.append(line)
    return out


@pytest.fixture(scope="module")
def paragraphs() -> list[str]:
    return logical_paragraphs(DOCUMENT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def plan() -> dict:
    with PLAN_FILE.open("rb") as fh:
        return tomllib.load(fh)


@pytest.fixture(scope="module")
def department_by_name(plan: dict) -> dict[str, str]:
    names: dict[str, str] = {}
    for dept in plan["departments"]:
        for name in [dept["short_name"], dept["name"], *dept.get("aliases", [])]:
            assert names.get(name, dept["code"]) == dept["code"], f"{name} names two departments"
            names[name] = dept["code"]
    return names


def responsibility_clauses(paragraphs: list[str]) -> list[tuple[str, list[str]]]:
    """(paragraph text without the clause, department names in the clause's order) for every clause."""
    found = []
    for i, para in enumerate(paragraphs):
        match = CLAUSE.search(para)
        if not match:
            assert "责任单位" not in para, f"unparsed 责任单位 clause: {para}"
            continue
        body = para[: match.start()]
        if not body:  # the clause sits on its own line after the paragraph
            body = paragraphs[i - 1]
            assert not CLAUSE.search(body), f"two clauses in a row before {para}"
        names = [n.strip() for n in re.split(r"[、,，]", match.group(1)) if n.strip()]
        found.append((body, names))
    return found


def test_document_has_all_clauses(paragraphs: list[str]) -> None:
    clauses = responsibility_clauses(paragraphs)
    # 四(一) 5 + 四(二) 8 + 四(三) 4 + 四(四) 3 + 四(五) 2 paragraphs, 五 保障措施 5 items
    assert len(clauses) == 27


def test_responsibility_clauses_match_tasks(
    paragraphs: list[str], plan: dict, department_by_name: dict[str, str]
) -> None:
    tasks = plan["tasks"]
    matched = set()
    for body, names in responsibility_clauses(paragraphs):
        unknown = [n for n in names if n not in department_by_name]
        assert not unknown, f"departments not in the plan: {unknown} (clause after {body[:15]}…)"
        candidates = [t for t in tasks if t.get("text", "").startswith(body[:15])]
        assert len(candidates) == 1, f"{len(candidates)} tasks for the paragraph {body[:15]}…"
        task = candidates[0]
        assert task["text"] == body, f"{task['code']}: text differs from the document"
        assert task["departments"] == [department_by_name[n] for n in names], task["code"]
        assert task["departments_source"] == "document", task["code"]
        assert task["kind"] in {"task", "safeguard"}, task["code"]
        matched.add(task["code"])
    documented = {t["code"] for t in tasks if t["kind"] in {"task", "safeguard"}}
    assert documented == matched, f"tasks with no clause in the document: {sorted(documented - matched)}"


def test_department_short_names_as_document_writes_them(paragraphs: list[str], plan: dict) -> None:
    short_names = {d["short_name"] for d in plan["departments"]}
    for _, names in responsibility_clauses(paragraphs):
        assert set(names) <= short_names


def test_policy_items(paragraphs: list[str], plan: dict) -> None:
    heading = "# 山西省加快推进数字经济发展的若干政策"
    start = paragraphs.index(heading)
    items = {}
    for para in paragraphs[start:]:
        match = re.match(r"^(\d+)\. (.*)$", para)
        if match:
            items[int(match.group(1))] = match.group(2)
    assert sorted(items) == list(range(1, 23))

    policies = [t for t in plan["tasks"] if t["kind"] == "policy"]
    assert len(policies) == 22
    by_code = {t["code"]: t for t in policies}
    for n, text in items.items():
        task = by_code[f"policy-{n:02d}"]
        assert task["domain"] == "policy"
        assert task["clause"] == f"若干政策 第{n}条"
        assert task["text"] == text, task["code"]
        assert task["departments"], task["code"]
        assert task["departments_source"] == "inferred"


def test_every_column_item_has_a_task(paragraphs: list[str], plan: dict) -> None:
    bold_items = [re.match(r"^\*\*(.+?)\*\*(.*)$", p) for p in paragraphs if p.startswith("**")]
    assert len(bold_items) == 8  # 专栏1: 2, 专栏2: 1, 专栏3: 2, 专栏4: 3
    columns = {t["title"]: t for t in plan["tasks"] if t["kind"] == "column"}
    assert len(columns) == 8
    for match in bold_items:
        title = match.group(1).rstrip("。")
        assert title in columns, f"no task for 专栏 item {title}"
        task = columns[title]
        assert task["text"] == match.group(1) + match.group(2), task["code"]
        assert task["departments"] and task["departments_source"] == "inferred", task["code"]


NUMERIC_TARGETS = [
    # indicator, year, value, comparator
    ("digital_economy_scale", 2022, 5000, ">"),
    ("digital_economy_scale", 2025, 8000, ">="),
    ("base_stations_5g", 2022, 30000, ">="),
    ("smart_factories", 2022, 100, ">="),
    ("digital_workshops", 2022, 100, ">="),
    ("data_annotation_firms", 2022, 100, ">="),
    ("intl_influential_firms", 2022, 1, ">="),
    ("intl_influential_firms", 2025, 2, ">="),
    ("dc_power_price", 2025, 0.3, "<="),
]


@pytest.mark.parametrize(("indicator", "year", "value", "comparator"), NUMERIC_TARGETS)
def test_numeric_targets(plan: dict, indicator: str, year: int, value: float, comparator: str) -> None:
    found = [
        t
        for t in plan["targets"]
        if t.get("indicator") == indicator and t["region"] == "140000" and t["year"] == year
    ]
    assert len(found) == 1, f"{indicator}@140000:{year}"
    target = found[0]
    assert target["value"] == pytest.approx(value)
    assert target["comparator"] == comparator


def test_target_texts_quote_the_document(paragraphs: list[str], plan: dict) -> None:
    """Every target's text is a sentence of the document (a monitoring-office note may follow in 〔注…〕)."""
    document = "\n".join(paragraphs)
    for target in plan["targets"]:
        quoted = target["text"].split("〔注")[0]
        assert quoted and quoted in document, target.get("indicator") or target.get("milestone")
