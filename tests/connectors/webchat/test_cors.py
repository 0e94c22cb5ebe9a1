"""CORS for the widget embedded on another site: only the configured origins get CORS headers, and
only on the web chat endpoints (messages, event stream), preflight included."""
from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError

from connectors.config import GatewaySettings
from connectors.gateway import create_app
from tests.connectors.webchat.conftest import SESSION, push_headers

SHOP = "https://shop.example"
OTHER = "https://evil.example"
MESSAGE = {"session_id": SESSION, "text": "hello"}


@pytest.fixture
def settings(settings: GatewaySettings) -> GatewaySettings:
    """The trailing slash is how people paste it; browsers send the origin without one."""
    return settings.model_copy(update={"webchat_allowed_origins": f"{SHOP}/, http://localhost:3000"})


def preflight(origin: str, method: str = "POST", headers: str = "content-type") -> dict[str, str]:
    return {"Origin": origin, "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers}


async def test_cors_preflight_from_allowed_origin_allows_json_post(gateway):
    response = await gateway.options("/webchat/messages", headers=preflight(SHOP))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == SHOP
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in response.headers


async def test_cors_preflight_from_other_origin_is_refused(gateway):
    response = await gateway.options("/webchat/messages", headers=preflight(OTHER))
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_cors_message_from_allowed_origin_gets_headers(gateway, rasa):
    response = await gateway.post("/webchat/messages", json=MESSAGE, headers={"Origin": SHOP})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == SHOP
    assert "Origin" in response.headers["vary"]
    assert response.json()["replies"][0]["text"] == "echo: hello"


async def test_cors_message_from_other_origin_gets_no_headers(gateway):
    response = await gateway.post("/webchat/messages", json=MESSAGE, headers={"Origin": OTHER})
    assert "access-control-allow-origin" not in response.headers


async def test_cors_second_allowed_origin_gets_its_own_origin_back(gateway):
    origin = "http://localhost:3000"
    response = await gateway.post("/webchat/messages", json=MESSAGE, headers={"Origin": origin})
    assert response.headers["access-control-allow-origin"] == origin


@pytest.mark.parametrize("origin, allowed", [(SHOP, True), (OTHER, False)])
async def test_cors_event_stream_headers_only_for_allowed_origin(served, origin, allowed):
    async with served.stream("GET", "/webchat/stream", params={"session_id": SESSION},
                             headers={"Origin": origin, "Last-Event-ID": "0"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert (response.headers.get("access-control-allow-origin") == SHOP) is allowed


async def test_cors_event_stream_preflight_allows_last_event_id(gateway):
    response = await gateway.options(f"/webchat/stream?session_id={SESSION}",
                                     headers=preflight(SHOP, "GET", "last-event-id"))
    assert response.status_code == 200
    assert "last-event-id" in response.headers["access-control-allow-headers"].lower()


async def test_cors_never_on_push_endpoint(gateway):
    body = {"sender_id": f"web:{SESSION}", "messages": [{"text": "hi"}]}
    response = await gateway.post("/internal/push", json=body, headers={**push_headers(), "Origin": SHOP})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    refused = await gateway.options("/internal/push", headers=preflight(SHOP))
    assert "access-control-allow-origin" not in refused.headers


async def test_cors_default_allows_no_other_site(rasa):
    app = create_app(GatewaySettings(_env_file=None, rasa_url=rasa.url))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as http:
            response = await http.post("/webchat/messages", json=MESSAGE, headers={"Origin": SHOP})
            asked = await http.options("/webchat/messages", headers=preflight(SHOP))
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-origin" not in asked.headers


async def test_cors_star_allows_any_site_without_credentials(rasa):
    app = create_app(GatewaySettings(_env_file=None, rasa_url=rasa.url, webchat_allowed_origins="*"))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as http:
            response = await http.post("/webchat/messages", json=MESSAGE, headers={"Origin": OTHER})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


@pytest.mark.parametrize("value", ["https://shop.example/chat", "shop.example", "ftp://shop.example"])
def test_cors_setting_rejects_what_is_not_an_origin(value):
    with pytest.raises(ValidationError, match="webchat_allowed_origins"):
        GatewaySettings(_env_file=None, webchat_allowed_origins=value)


def test_cors_setting_splits_and_trims_origins():
    settings = GatewaySettings(_env_file=None, webchat_allowed_origins=" https://a.example/ ,,http://b.example:8000")
    assert settings.webchat_allowed_origin_list == ["https://a.example", "http://b.example:8000"]
