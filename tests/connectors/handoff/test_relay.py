"""The relay around the channels' bot calls, when nothing is handed off or the backend is down:
the bot must keep answering, and a handoff payload is never shown to the customer."""
from __future__ import annotations

import pytest

from connectors.config import GatewaySettings
from connectors.handoff.relay import HandoffRelay, handoff_ticket_id
from connectors.handoff.staff_channel import post_staff_message
from connectors.handoff.state import ActiveHandoffs
from tests.services import free_port


@pytest.fixture
def relay() -> HandoffRelay:
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens: the backend is down
    return HandoffRelay(GatewaySettings(_env_file=None, backend_url=nowhere))


@pytest.mark.parametrize("reply, expected", [
    ({"custom": {"handoff": {"ticket_id": 3}}}, 3),
    ({"custom": {"handoff": {"ticket_id": "3"}}}, None),
    ({"custom": {"blocks": []}}, None),
    ({"text": "hi"}, None),
])
def test_handoff_ticket_id(reply, expected):
    assert handoff_ticket_id(reply) == expected


async def test_relay_divert_backend_down_lets_the_bot_answer(relay):
    assert await relay.divert("web:abcdefgh12", "hello") is False


async def test_relay_intercept_without_payload_changes_nothing(relay):
    replies = [{"recipient_id": "web:x", "text": "hi"}, {"recipient_id": "web:x", "image": "u"}]
    assert await relay.intercept("web:x", replies) == replies


async def test_relay_intercept_backend_down_hides_the_payload(relay):
    replies = [{"recipient_id": "web:x", "text": "ticket #3"},
               {"recipient_id": "web:x", "custom": {"handoff": {"ticket_id": 3}}}]
    assert await relay.intercept("web:x", replies) == replies[:1]


async def test_post_staff_message_without_a_staff_channel_is_none():
    settings = GatewaySettings(_env_file=None, slack_bot_token="xoxb-1", slack_staff_channel="")
    assert await post_staff_message(settings, "low stock") is None


def test_active_handoffs_cache_expires():
    clock = [100.0]
    cache = ActiveHandoffs(ttl=2, clock=lambda: clock[0])
    cache.put("web:a", {"id": 1})
    assert cache.get("web:a") == (True, {"id": 1})
    clock[0] += 3
    assert cache.get("web:a") == (False, None)


def test_active_handoffs_zero_ttl_never_caches():
    cache = ActiveHandoffs(ttl=0)
    cache.put("web:a", {"id": 1})
    assert cache.get("web:a") == (False, None)
