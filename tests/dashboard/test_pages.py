"""Each page's layout, drawn from the URL's query inside a request, on the sample data of both backends.

The layouts are called the way Dash's router calls them (`layout(**query)`), as a given user.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from dashboard import ids
from dashboard.status import STATUS_ORDER
from tests.dashboard.conftest import RunAs, find, ids_in, text, walk

NUMERIC_TARGETS = [
    "digital_economy_scale@140000:2022", "digital_economy_scale@140000:2025", "base_stations_5g@140000:2022",
    "smart_factories@140000:2022", "digital_workshops@140000:2022", "data_annotation_firms@140000:2022",
    "intl_influential_firms@140000:2022", "intl_influential_firms@140000:2025", "dc_power_price@140000:2025",
]  # fmt: skip


def card_value(layout: Any, target_id: str) -> str:
    card = find(layout, ids.target_card(target_id))
    return next(node.children for node in walk(card) if getattr(node, "className", "") == "card-value")


def test_overview_has_a_card_and_a_badge_per_target(pages: SimpleNamespace, as_user_sample: RunAs) -> None:
    with as_user_sample("leader"):
        layout = pages.overview.layout()
    present = ids_in(layout)
    for target in NUMERIC_TARGETS:
        assert {ids.target_card(target), ids.status_badge(target), ids.status_popover(target)} <= present
    counts = [
        int(find(layout, ids.status_count(ids.STATUS_COUNTS, status)).children) for status in STATUS_ORDER
    ]
    assert sum(counts) == len(NUMERIC_TARGETS)
    assert card_value(layout, "base_stations_5g@140000:2022") == "67,300 个"
    assert "2026年第三季度" in text(find(layout, ids.FRESHNESS))  # the sample's latest quarter


@pytest.mark.parametrize(
    ("as_of", "five_g", "scale_2025"),
    [
        (None, "67,300 个", "7,350 亿元"),  # latest, 2026Q3: the 2025 value, published in 2026
        ("2025Q3", "67,300 个", "6,230 亿元"),  # 2025's value is not in yet: 2024's
        ("2022Q2", "50,100 个", "4,050 亿元"),
        ("2023q4", "67,300 个", "5,650 亿元"),
    ],
)
def test_as_of_changes_the_numbers(
    pages: SimpleNamespace, as_user_sample: RunAs, as_of: str | None, five_g: str, scale_2025: str
) -> None:
    query = {"as_of": as_of} if as_of else {}
    with as_user_sample("leader"):
        layout = pages.overview.layout(**query)
    assert card_value(layout, "base_stations_5g@140000:2022") == five_g
    assert card_value(layout, "digital_economy_scale@140000:2025") == scale_2025


def test_unknown_as_of_falls_back_to_the_latest(pages: SimpleNamespace, as_user_sample: RunAs) -> None:
    with as_user_sample("leader"):
        layout = pages.overview.layout(as_of="1999Q1")
    assert find(layout, ids.AS_OF).value == "2026Q3"


def test_explanation_in_english_when_asked(pages: SimpleNamespace, as_user_sample: RunAs) -> None:
    with as_user_sample("leader"):
        layout = pages.overview.layout(lang="en")
        earlier = pages.overview.layout(lang="en", as_of="2025Q3")
    why = find(layout, ids.status_popover("digital_economy_scale@140000:2025"))
    # 7,350 < 8,000 with the deadline period's own value: 1 − 7,350/8,000 = 8.125% → "missed by 8.1%"
    assert "the value for the deadline period 2025 does not meet the target → missed" in text(why)
    assert "missed by 8.1%" in text(why)
    before = text(find(earlier, ids.status_popover("digital_economy_scale@140000:2025")))
    assert "→ behind" in before and "→ missed" not in before  # 6,230 in 2024, ρ = 0.88
    assert find(layout, "nav-overview").children == "Overview"


def test_leader_has_no_uploads_link_and_no_uploads_page(
    pages: SimpleNamespace, as_user_sample: RunAs
) -> None:
    with as_user_sample("leader"):
        layout = pages.overview.layout()
        page = pages.uploads.layout()
    assert "nav-uploads" not in ids_in(layout)
    assert ids.UPLOAD not in ids_in(page)
    assert "无权" in text(page)


@pytest.mark.parametrize("role", ["admin", "bureau", "department"])
def test_uploading_roles_see_the_upload_page(
    pages: SimpleNamespace, as_user_sample: RunAs, role: str
) -> None:
    with as_user_sample(role):
        page = pages.uploads.layout()
    assert {ids.UPLOAD, ids.HISTORY_TABLE, ids.COMPLETENESS, ids.TEMPLATE_BUTTON} <= ids_in(page)
    rollback_buttons = [n for n in walk(page) if isinstance(getattr(n, "id", None), dict)]
    assert bool(rollback_buttons) == (role != "department")


def test_regions_map_ranking_and_table(pages: SimpleNamespace, as_user_sample: RunAs) -> None:
    with as_user_sample("leader"):
        layout = pages.regions.layout(indicator="base_stations_5g", as_of="2025Q3")
    figure = find(layout, ids.TILE_MAP).figure  # a plain dict: charts are kept per data version
    assert len(figure["layout"]["shapes"]) == 11
    assert figure["data"][0]["text"][0].startswith("<b>")
    table = text(find(layout, ids.CITY_TABLE))
    assert "30,500 个" in table and "24.3%" in table  # 太原: 30,500 of 125,400


def test_city_page_lists_every_city_indicator(pages: SimpleNamespace, as_user_sample: RunAs) -> None:
    with as_user_sample("leader"):
        layout = pages.city.layout(region="140100", as_of="2025Q3")
    rows = find(layout, ids.table_body(ids.CITY_INDICATORS)).children
    assert len(rows) == 21  # the plan's indicators with city values
    assert "30,500 个" in text(rows) and "1 / 11" in text(rows)


def test_city_page_for_an_unknown_region(pages: SimpleNamespace, as_user_sample: RunAs) -> None:
    with as_user_sample("leader"):
        layout = pages.city.layout(region="999999")
    assert "999999" in text(layout)


def test_department_user_lands_on_its_department_and_may_write(
    pages: SimpleNamespace, as_user_sample: RunAs
) -> None:
    with as_user_sample("department"):
        layout = pages.departments.layout()
    assert "山西省工业和信息化厅" in text(layout)
    assert ids.NOTE_SAVE in ids_in(layout)


@pytest.mark.parametrize(("role", "writes"), [("leader", False), ("bureau", False), ("admin", True)])
def test_who_writes_notes_on_a_department_page(
    pages: SimpleNamespace, as_user_sample: RunAs, role: str, writes: bool
) -> None:
    with as_user_sample(role):
        layout = pages.departments.layout(department="industry_it")
    assert (ids.NOTE_SAVE in ids_in(layout)) is writes


def test_indicator_page_shows_provenance_and_history(pages: SimpleNamespace, as_user_sample: RunAs) -> None:
    with as_user_sample("leader"):
        layout = pages.indicator.layout(indicator="base_stations_5g", region="140100", period="2025Q2")
    provenance = text(find(layout, ids.PROVENANCE))
    assert "2025Q3_统计局_数字经济主要指标.xlsx" in provenance and "sample" in provenance
    history = text(find(layout, ids.HISTORY))
    # the action reads 发布, never the stored code
    assert "2025Q2_统计局_数字经济主要指标.xlsx" in history and "发布" in history and "publish" not in history
    assert "期末已建成开通的5G基站累计数量" in text(find(layout, ids.METADATA))
    with as_user_sample("leader"):
        revised = pages.indicator.layout(indicator="digital_core_revenue", region="140100", period="2025Q2")
    # the sample revision (data/sample/README.md) carries its reason into the value's history
    assert "企业归属地由晋中市调整为太原市" in text(find(revised, ids.HISTORY))


def test_tasks_tree_and_search(pages: SimpleNamespace, as_user_sample: RunAs) -> None:
    with as_user_sample("leader"):
        everything = pages.tasks.layout()
        found, count = pages.tasks.search_tasks("数据标注", None)
    assert text(find(everything, ids.TASK_COUNT)) == "共 57 项任务"
    # 专栏3 第1项 by its title; 四(三) 第2段 and 若干政策 第8条 by their indicator 数据标注企业
    assert count == "共 3 项任务"
    assert "加快发展数据标注产业" in text(found)


def test_methodology_shows_the_readers_page_and_links_the_technical_document(
    pages: SimpleNamespace, as_user_sample: RunAs
) -> None:
    with as_user_sample("leader"):
        guide = pages.methodology.layout()
        english = pages.methodology.layout(lang="en")
        technical = pages.methodology.layout(doc="technical")
    text_zh = find(guide, ids.METHODOLOGY).children
    assert text_zh.startswith("# 进度怎样判断") and "差0.8%未完成" in text_zh
    assert "tests/" not in text_zh and ".py" not in text_zh  # no developers' paths on the readers' page
    assert "?doc=technical" in text_zh
    assert find(english, ids.METHODOLOGY).children.startswith("# How progress is judged")
    assert "进度测算方法" in find(technical, ids.METHODOLOGY).children


def test_index_page_shows_the_province_and_the_city_ranking(
    pages: SimpleNamespace, as_user_sample: RunAs
) -> None:
    """Sample, 2025Q3: the province at full coverage; 太原 first, 阳泉 last (§ 十三's table)."""
    with as_user_sample("leader"):
        layout = pages.composite.layout()
    province = text(find(layout, ids.INDEX_PROVINCE))
    assert "数字基础设施" in province and "100.0%" in province  # coverage
    ranking = find(layout, ids.INDEX_RANKING)
    rows = [text(node) for node in walk(ranking) if type(node).__name__ == "Tr"][1:]
    assert rows[0].startswith("1太原") and rows[-1].startswith("11阳泉")
