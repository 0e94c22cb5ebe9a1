"""The widget embedded on another site (another origin) in real Chromium: a gateway that allows the
shop's origin (WEBCHAT_ALLOWED_ORIGINS) answers it, messages and live stream alike; a site that is
not allowed cannot use it."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.browser import ARTIFACTS, chromium_browser, open_chat, say  # noqa: F401 - a fixture
from tests.services import APP_PYTHON, Service, free_port

pytestmark = [pytest.mark.live, pytest.mark.browser]
COLOR = "#225588"


class ShopSite:
    """A shop's own web server on its own port (so its own origin) serving one page that embeds
    the widget with the one-tag snippet from the README."""

    def __init__(self, gateway_url: str):
        page = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Other shop</title></head>'
                f'<body><h1>Another shop</h1><script src="{gateway_url}/webchat/widget.js" '
                f'data-title="Other shop assistant" data-color="{COLOR}"></script></body></html>').encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def embedding(stack):
    """A second gateway (same Rasa) that allows one shop site; the other site is not allowed."""
    port = free_port()
    gateway_url = f"http://127.0.0.1:{port}"
    allowed, other = ShopSite(gateway_url), ShopSite(gateway_url)
    gateway = Service(
        "gateway-cors",
        [str(APP_PYTHON), "-m", "uvicorn", "connectors.gateway:app", "--host", "127.0.0.1", "--port", str(port)],
        {"RASA_URL": stack.rasa.url, "WEBCHAT_ALLOWED_ORIGINS": allowed.url},
        gateway_url, "/health",
    )
    try:
        gateway.wait_healthy(60)
        yield gateway, allowed, other
    finally:
        gateway.stop()
        allowed.stop()
        other.stop()


def test_widget_on_allowed_site_chats_and_gets_live_messages(embedding, browser):
    gateway, allowed, _ = embedding
    page = browser.new_page(viewport={"width": 1100, "height": 760})
    log = open_chat(page, allowed.url)
    # widget.css came from the gateway too, with the shop's colour: the widget is styled
    launcher = page.get_by_role("button", name="Close chat")
    assert launcher.evaluate("b => getComputedStyle(b).position") == "fixed"
    assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(34, 85, 136)"
    say(page, "what do you sell?")
    expect(log.locator(".obw-bot")).to_contain_text("We sell", timeout=60_000)
    session_id = page.evaluate("JSON.parse(localStorage.getItem('orderbot.chat')).sessionId")
    pushed = httpx.post(f"{gateway.url}/internal/push", headers={"Authorization": "Bearer dev-push-token"},
                        json={"sender_id": f"web:{session_id}", "messages": [{"text": "Live across sites"}]},
                        timeout=10).json()
    assert pushed["delivered_to"] == 1  # the page's cross-origin event stream is open
    expect(log.get_by_text("Live across sites")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "widget-embedded-other-site.png"))
    page.close()


def test_widget_on_site_not_allowed_cannot_send(embedding, browser):
    _, _, other = embedding
    page = browser.new_page()
    log = open_chat(page, other.url)
    say(page, "what do you sell?")
    expect(page.get_by_role("status").filter(has_text="Connection lost")).to_be_visible(timeout=15_000)
    expect(log.locator(".obw-user .obw-state")).to_be_visible()
    expect(log.locator(".obw-bot")).to_have_count(0)
    page.close()
