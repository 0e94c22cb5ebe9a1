"""The staff dashboard in real Chromium (Debian's package, driven by Playwright) against a real
backend on a fresh demo database."""
from __future__ import annotations

import shutil
import uuid

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.browser import ARTIFACTS, chromium_browser  # noqa: F401  (the `browser` fixture)
from tests.services import REPO_ROOT, prepare_database, start_backend

pytestmark = [pytest.mark.live, pytest.mark.browser]
README_SCREENSHOT = REPO_ROOT / "docs/screenshots/dashboard.png"
TOKEN = "dashboard-staff-token"
BOT_TOKEN = "dashboard-bot-token"
CHARTS = ["chart-orders", "chart-revenue", "chart-csat", "chart-fill", "chart-forecast"]


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    database_url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('dashboard') / 'orderbot.db'}"
    prepare_database(database_url)
    service = start_backend(database_url, {"STAFF_API_TOKEN": TOKEN, "BOT_API_TOKEN": BOT_TOKEN,
                                           "EXPIRY_INTERVAL_SECONDS": "0"})
    try:
        service.wait_healthy(60)
        yield service
    finally:
        service.stop()


def sign_in(page, key: str) -> None:
    page.get_by_label("Staff API key").fill(key)
    page.get_by_role("button", name="Sign in").click()


def wait_for_board(page) -> None:
    expect(page.locator("body[data-ready=true]")).to_have_count(1, timeout=90_000)
    for chart in CHARTS:
        expect(page.locator(f"#{chart}[data-rendered=true] .main-svg").first).to_be_visible()


def test_dashboard_signs_in_and_renders_tiles_and_charts(backend, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1360, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(backend.url + "/staff/dashboard")
    sign_in(page, "not-the-key")
    expect(page.get_by_role("alert")).to_contain_text("not accepted")
    sign_in(page, TOKEN)
    wait_for_board(page)

    tiles = page.locator("[data-kpi]")
    expect(tiles).to_have_count(10)
    for kpi in ("orders", "revenue", "csat", "fill_rate", "forecast_mase"):
        value = page.locator(f"[data-kpi={kpi}] .value").inner_text()
        assert value not in ("", "–"), (kpi, value)
    assert int(page.locator("[data-kpi=orders] .value").inner_text().replace(",", "")) > 100
    reorder_rows = page.locator("#reorder-table tbody tr[data-sku]")
    assert reorder_rows.count() >= 3
    expect(page.locator("#feedback-list li").first).to_be_visible()
    expect(page.locator("#tickets-table tbody tr").first).to_be_visible()
    assert "Backtest over" in page.locator("#accuracy").inner_text()
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ARTIFACTS / "dashboard.png", README_SCREENSHOT)
    assert errors == []
    page.close()


def test_dashboard_shows_the_forecast_of_a_low_stock_row(backend, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(backend.url + "/staff/dashboard")
    sign_in(page, TOKEN)
    wait_for_board(page)
    row = page.locator("#reorder-table tbody tr[data-sku]").nth(1)
    sku = row.get_attribute("data-sku")
    name = row.locator("td").nth(1).inner_text()
    row.get_by_role("button").click()
    expect(page.get_by_label("Product")).to_have_value(sku)
    expect(page.locator("#forecast-meta")).to_contain_text(name)
    expect(page.locator("#forecast-meta")).to_contain_text("reorder point")
    page.screenshot(path=str(ARTIFACTS / "dashboard-forecast.png"))

    page.reload()  # the key lives in sessionStorage: still signed in
    wait_for_board(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Staff API key")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('orderbot.staffKey')") is None
    page.close()


def test_dashboard_shows_feedback_as_text_not_html(backend, browser):
    comment = f"<img src=x onerror=\"document.body.dataset.pwned=1\"> {uuid.uuid4().hex[:6]}"
    response = httpx.post(backend.url + "/api/v1/feedback", timeout=10,
                          json={"rating": 1, "comment": comment, "conversation_id": "dashboard-xss"},
                          headers={"Authorization": f"Bearer {BOT_TOKEN}",
                                   "X-Channel-Identity": "web:dashboard-xss"})
    assert response.status_code == 201, response.text
    page = browser.new_page()
    page.goto(backend.url + "/staff/dashboard")
    sign_in(page, TOKEN)
    wait_for_board(page)
    expect(page.locator("#feedback-list li").first).to_contain_text(comment)
    assert page.locator("#feedback-list img").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None
    page.close()
