"""The overview answers in the browser: the as-of period changes the numbers, a badge says why."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from dashboard import ids
from tests.browser.conftest import LiveServer, login, screenshot, settle

pytestmark = pytest.mark.slow

FIVE_G = "base_stations_5g@140000:2022"
SCALE_2025 = "digital_economy_scale@140000:2025"


def test_as_of_period_changes_the_numbers(page: Page, live_server: LiveServer) -> None:
    login(page, live_server, "leader")
    settle(page)
    card = page.locator(f"#{ids.target_card(SCALE_2025)} .card-value")
    before = card.inner_text()
    assert re.fullmatch(r"[\d,]+ 亿元", before), before
    page.click(f"#{ids.AS_OF}")
    page.click('.dash-dropdown-option:has(input[value="2022Q2"])')
    expect(page).to_have_url(re.compile(r"as_of=2022Q2"))
    expect(card).not_to_have_text(before)
    expect(page.locator(f"#{ids.target_card(FIVE_G)} .card-period")).to_have_text("2022年第二季度")
    settle(page)
    screenshot(page, "leader-overview-2022Q2")
    page.go_back()
    expect(card).to_have_text(before)


def test_status_badge_opens_its_explanation(page: Page, live_server: LiveServer) -> None:
    login(page, live_server, "leader")
    settle(page)
    badge = page.locator(f"#{ids.status_badge(SCALE_2025)}")
    expect(badge).to_have_text("未完成")  # 7,350 of 8,000 at the 2025 deadline
    badge.click()
    why = page.locator(f"#{ids.status_popover(SCALE_2025)}")
    expect(why).to_be_visible()
    expect(why).to_contain_text("基期 2020")
    expect(why).to_contain_text("8000")
    screenshot(page, "leader-overview-why")


def test_status_counts_add_up_to_the_targets(page: Page, live_server: LiveServer) -> None:
    login(page, live_server, "leader")
    settle(page)
    counts = page.locator(f"#{ids.STATUS_COUNTS} [data-count]")
    total = sum(int(n) for n in counts.evaluate_all("els => els.map(e => e.dataset.count)"))
    assert total == page.locator(".target-card").count() == 9
    page.set_viewport_size({"width": 2560, "height": 1440})  # the wall screen in the meeting room
    settle(page)
    screenshot(page, "leader-overview-wall")


def test_tile_click_opens_the_city(page: Page, live_server: LiveServer) -> None:
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/regions?indicator=base_stations_5g")
    page.wait_for_selector(f"#{ids.TILE_MAP} .scatterlayer .point")
    settle(page)
    page.locator(f"#{ids.CITY_TABLE}").get_by_role("link", name="太原").click()
    expect(page.locator("#city-page h1")).to_have_text("太原市")
    expect(page.locator(f"#{ids.CITY_INDICATORS}")).to_contain_text("5G基站数")


def click_point(page: Page, selector: str) -> None:
    """Click a plotly point where it is drawn (plotly's drag layer sits above the points)."""
    box = page.locator(selector).first.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_a_tile_or_a_bar_click_opens_the_city_keeping_language_and_period(
    page: Page, live_server: LiveServer
) -> None:
    """The click is handled in the browser (no round trip): the same URL `city_location` builds."""
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/regions?indicator=base_stations_5g&as_of=2024Q4&lang=en")
    page.wait_for_selector(f"#{ids.TILE_MAP} .scatterlayer .point")
    settle(page)
    click_point(page, f"#{ids.RANKING} .bars .point")
    expect(page).to_have_url(re.compile(r"/regions/14\d{4}\?as_of=2024Q4&lang=en$"))
    expect(page.locator("#city-page")).to_be_visible()
    page.go_back()
    page.wait_for_selector(f"#{ids.TILE_MAP} .scatterlayer .point")
    settle(page)
    click_point(page, f"#{ids.TILE_MAP} .scatterlayer .point")
    expect(page).to_have_url(re.compile(r"/regions/14\d{4}\?as_of=2024Q4&lang=en$"))


def test_a_selector_rewrites_only_its_own_parameter(page: Page, live_server: LiveServer) -> None:
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/regions?indicator=base_stations_5g&as_of=2024Q4&lang=en")
    settle(page)
    page.click(f"#{ids.AS_OF}")
    page.click('.dash-dropdown-option:has(input[value="2023Q2"])')
    expect(page).to_have_url(re.compile(r"/regions\?as_of=2023Q2&indicator=base_stations_5g&lang=en$"))
