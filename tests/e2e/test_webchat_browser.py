"""The chat widget in real Chromium (Debian's package, driven by Playwright) against the live stack."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.services import REPO_ROOT

pytestmark = [pytest.mark.live, pytest.mark.browser]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO_ROOT / "var/test-artifacts/screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: make test installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_webchat_widget_answers_and_keeps_history_after_reload(stack, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
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
