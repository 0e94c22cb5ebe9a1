"""The web chat endpoint, with the shared stand-in for Rasa's REST webhook."""
from __future__ import annotations

import httpx
import pytest

from connectors.gateway import create_app
from tests.connectors.webchat.conftest import SESSION


@pytest.fixture
async def client(settings):
    app = create_app(settings.model_copy(update={"max_message_chars": 50, "shop_name": "Tea & <Co>"}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            yield http


async def test_post_web_message_forwards_with_web_sender(client, rasa):
    response = await client.post("/webchat/messages", json={"session_id": SESSION, "text": "hello"})
    assert response.status_code == 200
    assert response.json() == {"replies": [{"recipient_id": f"web:{SESSION}", "text": "echo: hello"}]}
    assert rasa.messages() == [{"sender": f"web:{SESSION}", "message": "hello", "metadata": {"channel": "web"}}]


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\n"])
async def test_post_web_message_blank_gets_polite_answer(client, rasa, text):
    response = await client.post("/webchat/messages", json={"session_id": SESSION, "text": text})
    assert response.status_code == 200
    assert "didn't catch" in response.json()["replies"][0]["text"]
    assert rasa.messages() == []


async def test_post_web_message_too_long_is_not_forwarded(client, rasa):
    response = await client.post("/webchat/messages", json={"session_id": SESSION, "text": "x" * 51})
    assert "under 50 characters" in response.json()["replies"][0]["text"]
    assert rasa.messages() == []


@pytest.mark.parametrize("session_id", ["short", "has spaces in it", "<script>alert(1)</script>"])
async def test_post_web_message_bad_session_id_is_422(client, session_id):
    response = await client.post("/webchat/messages", json={"session_id": session_id, "text": "hi"})
    assert response.status_code == 422


async def test_post_web_message_rasa_down_says_try_again(rasa, client):
    rasa.failing = True
    response = await client.post("/webchat/messages", json={"session_id": SESSION, "text": "hi"})
    reply = response.json()["replies"][0]
    assert reply["error"] == "bot_unavailable"
    assert "try again" in reply["text"]


async def test_demo_shop_page_escapes_shop_name_and_loads_widget(client):
    response = await client.get("/")
    assert response.status_code == 200
    assert "Tea &amp; &lt;Co&gt;" in response.text
    assert '<script src="/webchat/widget.js"' in response.text
    script = await client.get("/webchat/widget.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "OrderbotWidget" in script.text


async def test_widget_style_is_served_beside_the_script(client):
    style = await client.get("/webchat/widget.css")
    assert style.status_code == 200
    assert style.headers["content-type"].startswith("text/css")
    assert ".obw-panel" in style.text and "--obw-color" in style.text
