"""Real Chromium for the browser tests: Debian's package driven by Playwright (no browser download),
and the folder the tests save their screenshots to."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.services import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO_ROOT / "var/test-artifacts/screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module", name="browser")
def chromium_browser():
    """Import it into a test module to use the `browser` fixture there."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: make test installs Debian's chromium package")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_chat(page, url: str):
    """Opens the page, then the widget; returns the conversation log."""
    page.goto(url)
    page.get_by_role("button", name="Open chat").click()
    return page.get_by_role("log")


def say(page, text: str) -> None:
    message = page.get_by_role("textbox", name="Message")
    message.fill(text)
    message.press("Enter")
