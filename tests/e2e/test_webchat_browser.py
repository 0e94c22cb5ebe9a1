"""The chat widget in real Chromium (Debian's package, driven by Playwright) against the live stack."""
from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.browser import ARTIFACTS, chromium_browser, open_chat  # noqa: F401 - a fixture

pytestmark = [pytest.mark.live, pytest.mark.browser]


def test_webchat_widget_answers_and_keeps_history_after_reload(stack, browser):
    page = browser.new_page(viewport={"width": 1100, "height": 760})
    page.goto(stack.gateway.url + "/")
    page.get_by_role("button", name="Open chat").click()
    message = page.get_by_role("textbox", name="Message")
    message.fill("what do you sell?")
    message.press("Enter")
    log = page.get_by_role("log")
    expect(log.locator(".obw-bot")).to_contain_text("We sell", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "webchat-answer.png"))

    page.reload()
    page.get_by_role("button", name="Open chat").click()
    expect(log.locator(".obw-user")).to_have_count(1)
    expect(log.locator(".obw-user")).to_contain_text("what do you sell?")
    expect(log.locator(".obw-bot")).to_contain_text("We sell")
    page.close()


def test_webchat_widget_does_not_render_html_from_messages(stack, browser):
    page = browser.new_page()
    page.goto(stack.gateway.url + "/")
    page.get_by_role("button", name="Open chat").click()
    message = page.get_by_role("textbox", name="Message")
    message.fill("<img src=x onerror=\"document.body.dataset.pwned=1\"> hi")
    message.press("Enter")
    expect(page.locator(".obw-bot").last).to_be_visible(timeout=30_000)
    assert page.locator(".obw-log img").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None
    page.close()


def push(stack, page, *messages: dict) -> None:
    """Sends proactive messages to the page's web session through the gateway's push endpoint."""
    session_id = page.evaluate("JSON.parse(localStorage.getItem('orderbot.chat')).sessionId")
    response = httpx.post(stack.gateway.url + "/internal/push", timeout=10,
                          headers={"Authorization": "Bearer dev-push-token"},
                          json={"sender_id": f"web:{session_id}", "messages": list(messages)})
    assert response.status_code == 200, response.text


PRODUCTS = {"custom": {"type": "product_cards", "currency": "EUR", "products": [
    {"name": "Blue mug <b>", "price": 12.5, "available": True},
    {"name": "Teapot", "price": "€39.00", "available": False},
]}}


def test_webchat_widget_shows_pushed_messages_without_reload(stack, browser):
    page = browser.new_page(viewport={"width": 1100, "height": 760})
    log = open_chat(page, stack.gateway.url)
    push(stack, page, {"text": "Your order <b>#42</b> has shipped"}, PRODUCTS,
         {"text": "Anything else?", "buttons": [{"title": "Track order", "payload": "/track_order"}]})
    expect(log.locator(".obw-bot").first).to_have_text(re.compile(r"^Your order <b>#42</b> has shipped"))
    cards = page.get_by_role("list", name="Products").get_by_role("listitem")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("Blue mug <b>")
    expect(cards.first).to_contain_text("€12.50")
    expect(cards.last).to_contain_text("Out of stock")
    expect(page.get_by_role("group", name="Quick replies").get_by_role("button", name="Track order")).to_be_visible()
    assert page.locator(".obw-log b").count() == 0
    page.screenshot(path=str(ARTIFACTS / "webchat-desktop-push.png"))
    page.reload()  # the pushed messages are part of the history, once
    page.get_by_role("button", name="Open chat").click()
    expect(log.get_by_text("has shipped")).to_have_count(1)
    page.close()


def test_webchat_widget_offline_message_is_delivered_once(stack, browser):
    context = browser.new_context()
    page = context.new_page()
    log = open_chat(page, stack.gateway.url)
    context.set_offline(True)
    message = page.get_by_role("textbox", name="Message")
    message.fill("what do you sell?")
    message.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Connection lost")).to_be_visible(timeout=10_000)
    expect(log.locator(".obw-user .obw-state")).to_be_visible()
    push(stack, page, {"text": "Pushed while you were offline"})
    context.set_offline(False)
    expect(log.locator(".obw-bot").filter(has_text="We sell")).to_have_count(1, timeout=30_000)
    expect(log.get_by_text("Pushed while you were offline")).to_have_count(1, timeout=15_000)
    expect(log.locator(".obw-user")).to_have_count(1)
    expect(log.locator(".obw-user .obw-state")).to_be_hidden()
    page.wait_for_timeout(2000)  # a late duplicate (retry or replay) would show up by now
    expect(log.locator(".obw-bot").filter(has_text="We sell")).to_have_count(1)
    expect(log.get_by_text("Pushed while you were offline")).to_have_count(1)
    context.close()


def test_webchat_widget_second_tab_sees_the_conversation(stack, browser):
    context = browser.new_context()
    first, second = context.new_page(), context.new_page()
    first_log = open_chat(first, stack.gateway.url)
    second_log = open_chat(second, stack.gateway.url)
    message = first.get_by_role("textbox", name="Message")
    message.fill("what do you sell?")
    message.press("Enter")
    expect(first_log.locator(".obw-bot")).to_contain_text("We sell", timeout=30_000)
    expect(second_log.locator(".obw-user")).to_have_text(re.compile("what do you sell"))
    expect(second_log.locator(".obw-bot")).to_contain_text("We sell")
    push(stack, first, {"text": "A note for every tab"})
    for log in (first_log, second_log):
        expect(log.get_by_text("A note for every tab")).to_have_count(1)
    second.wait_for_timeout(1000)
    for log in (first_log, second_log):
        expect(log.get_by_text("A note for every tab")).to_have_count(1)
    context.close()


def test_webchat_widget_fits_a_phone_screen(stack, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    log = open_chat(page, stack.gateway.url)
    push(stack, page, {"text": "Here is what we have:"}, PRODUCTS)
    expect(log.get_by_role("listitem")).to_have_count(2)
    box = page.get_by_role("dialog").bounding_box()
    assert box["width"] <= 390 and box["x"] >= 0
    page.get_by_role("textbox", name="Message").fill("Do you have green tea?")
    page.screenshot(path=str(ARTIFACTS / "webchat-phone.png"))
    page.get_by_role("button", name="Hide chat").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    context.close()
