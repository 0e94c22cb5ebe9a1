"""A customer places an order through the chat widget in real Chromium, on the whole live stack
(backend, action server, Rasa with the trained model, gateway); the order is then checked in the
backend over HTTP and the conversation is still there after a reload."""
from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.browser import ARTIFACTS, chromium_browser, open_chat, say  # noqa: F401 - a fixture

pytestmark = [pytest.mark.live, pytest.mark.browser]
STAFF = {"Authorization": "Bearer dev-staff-token"}
BOT = "Bearer dev-bot-token"
SKU = "MUG-CER-BLU"
ADDRESS = "Ada Lovelace, 12 Market Street, Dublin D02 X285, Ireland"
EMAIL = "ada@example.com"
REPLY_TIMEOUT = 60_000  # ms; Rasa and the actions share two cores with the rest of the suite


def product(stack, sku: str) -> dict:
    response = httpx.get(f"{stack.backend.url}/api/v1/products/{sku}", timeout=10)
    response.raise_for_status()
    return response.json()


def bot_said(log, text: str | re.Pattern):
    return expect(log.locator(".obw-bot").filter(has_text=text).last)


def session_of(page) -> str:
    return page.evaluate("JSON.parse(localStorage.getItem('orderbot.chat')).sessionId")


def test_widget_order_placed_checked_in_backend_and_kept_after_reload(stack, browser):
    mug = product(stack, SKU)
    page = browser.new_page(viewport={"width": 1100, "height": 820})
    log = open_chat(page, stack.gateway.url)

    say(page, "do you have mugs? how much are they")
    bot_said(log, mug["name"]).to_contain_text(f"{mug['price_minor'] / 100:,.2f}", timeout=REPLY_TIMEOUT)

    say(page, "I'd like to order 2 blue mugs")
    bot_said(log, "Where should we send it").to_be_visible(timeout=REPLY_TIMEOUT)
    say(page, ADDRESS)
    bot_said(log, "email address or phone number").to_be_visible(timeout=REPLY_TIMEOUT)
    say(page, EMAIL)
    summary = bot_said(log, "Here's your order")
    summary.to_contain_text(f"2 × {mug['name']}", timeout=REPLY_TIMEOUT)
    page.screenshot(path=str(ARTIFACTS / "widget-order-summary.png"))

    page.get_by_role("group", name="Quick replies").last.get_by_role("button", name="Yes, place the order").click()
    placed = log.locator(".obw-bot").filter(has_text=re.compile(r"order OB-[0-9A-Z]{8} is placed")).last
    expect(placed).to_be_visible(timeout=REPLY_TIMEOUT)
    [number] = re.findall(r"OB-[0-9A-Z]{8}", placed.inner_text())
    page.screenshot(path=str(ARTIFACTS / "widget-order-placed.png"))

    order = httpx.get(f"{stack.backend.url}/api/v1/staff/orders/{number}", headers=STAFF, timeout=10).json()
    assert order["status"] == "confirmed"
    assert order["channel"] == "web"
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [(SKU, 2)]
    assert order["contact_email"] == EMAIL
    assert order["shipping_address"]["postal_code"] == "D02 X285"
    assert order["total_minor"] == order["subtotal_minor"] + order["shipping_minor"]
    assert order["subtotal_minor"] == 2 * mug["price_minor"]
    assert product(stack, SKU)["available"] == mug["available"] - 2

    # The order belongs to this widget's conversation: the bot sees it as this customer's only order.
    mine = httpx.get(f"{stack.backend.url}/api/v1/orders", timeout=10,
                     headers={"Authorization": BOT, "X-Channel-Identity": f"web:{session_of(page)}"}).json()
    assert [row["number"] for row in mine["data"]] == [number]

    page.reload()
    page.get_by_role("button", name="Open chat").click()
    expect(log.locator(".obw-user")).to_have_count(5)
    expect(log.locator(".obw-user").last).to_have_text(re.compile("^Yes, place the order"))
    expect(log.locator(".obw-bot").filter(has_text=number)).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "widget-order-after-reload.png"))
    page.close()
