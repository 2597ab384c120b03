"""我的账户 in Chromium: from the navbar to a new API token, used over HTTP, then revoked."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, login, screenshot, settle


def _me(server: LiveServer, token: str) -> int:
    response = httpx.get(f"{server.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    return response.status_code


def test_a_user_creates_uses_and_revokes_a_token_from_the_account_page(
    page: Page, live_server: LiveServer
) -> None:
    login(page, live_server, "department")
    page.click("#account-link")
    page.wait_for_selector("#account-page")
    expect(page.locator("#account-page")).to_contain_text("省工信厅")
    expect(page.locator("#account-tokens")).to_contain_text("尚无令牌")

    page.fill("#token-name", "季度报表脚本")
    page.click("#token-create")
    secret = page.locator("#token-secret").inner_text()
    assert secret.startswith("dem_")
    expect(page.locator("#account-tokens")).to_contain_text("季度报表脚本")
    expect(page.locator("#account-tokens")).to_contain_text("有效")
    settle(page)
    screenshot(page, "account-token-created")
    assert _me(live_server, secret) == 200

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#account-tokens button", has_text="撤销").click()
    expect(page.locator("#token-message")).to_contain_text("已撤销")
    expect(page.locator("#account-tokens")).to_contain_text("已撤销")
    assert _me(live_server, secret) == 401
