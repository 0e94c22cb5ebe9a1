"""POST /internal/push: the bearer token guard and what it accepts."""
from __future__ import annotations

from tests.connectors.webchat.conftest import SESSION, push_headers

PUSH = {"sender_id": f"web:{SESSION}", "messages": [{"text": "Your order shipped"}]}


async def test_push_messages_without_token_is_401(gateway):
    response = await gateway.post("/internal/push", json=PUSH)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_push_messages_wrong_token_is_403(gateway):
    response = await gateway.post("/internal/push", json=PUSH, headers=push_headers("not-it"))
    assert response.status_code == 403


async def test_push_messages_right_token_is_accepted(gateway):
    response = await gateway.post("/internal/push", json=PUSH, headers=push_headers())
    assert response.status_code == 200
    body = response.json()
    assert body["delivered_to"] == 0
    assert len(body["event_ids"]) == 1


async def test_push_messages_ids_increase(gateway):
    push = {**PUSH, "messages": [{"text": "one"}, {"text": "two"}]}
    first = (await gateway.post("/internal/push", json=push, headers=push_headers())).json()
    second = (await gateway.post("/internal/push", json=push, headers=push_headers())).json()
    ids = first["event_ids"] + second["event_ids"]
    assert ids == sorted(set(ids))


async def test_push_messages_other_channel_not_supported_yet(gateway):
    push = {**PUSH, "sender_id": "telegram:42"}
    response = await gateway.post("/internal/push", json=push, headers=push_headers())
    assert response.status_code == 422
    assert "telegram" in response.json()["detail"]


async def test_push_messages_bad_web_session_is_422(gateway):
    push = {**PUSH, "sender_id": "web:<script>"}
    response = await gateway.post("/internal/push", json=push, headers=push_headers())
    assert response.status_code == 422


async def test_push_messages_empty_list_is_422(gateway):
    response = await gateway.post("/internal/push", json={**PUSH, "messages": []}, headers=push_headers())
    assert response.status_code == 422
