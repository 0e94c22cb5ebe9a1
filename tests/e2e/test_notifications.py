"""Order notifications end to end: backend, gateway and dispatcher as real processes, the fake
Telegram and Slack APIs as the outside world. A status change made through the staff API
reaches the customer's own channel exactly once."""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.notifications_stack import (STAFF_CHANNEL, FlakyTelegramAPI, NotificationStack,
                                           wait_until)
from tests.fakes.slack_api import FakeSlackAPI

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[NotificationStack]:
    telegram, slack = FlakyTelegramAPI().start(), FakeSlackAPI().start()
    stack = NotificationStack(tmp_path_factory.mktemp("notify"), telegram, slack)
    try:
        stack.start()
        stack.start_dispatcher()
        yield stack
    finally:
        stack.stop()
        telegram.stop()
        slack.stop()


def telegram_user() -> int:
    return 10**8 + uuid.uuid4().int % 10**8


def texts_to(stack: NotificationStack, chat_id: int) -> list[str]:
    return [c.fields["text"] for c in stack.telegram.named("sendMessage")
            if int(c.fields["chat_id"]) == chat_id]


def test_shipped_order_telegram_customer_gets_one_message_with_tracking(stack):
    user = telegram_user()
    number = stack.confirmed_order(f"telegram:{user}", stack.product())
    stack.ship(number, "TRK-TG-1")
    stack.wait_for_state(f"order:{number}:shipped", "delivered")
    shipped = [t for t in texts_to(stack, user) if "TRK-TG-1" in t]
    assert len(shipped) == 1
    assert number in shipped[0] and "DHL" in shipped[0] and "Tue 15 Jan" in shipped[0]
    confirmed = stack.wait_for_state(f"order:{number}:confirmed", "delivered")
    assert confirmed["attempts"] == 1
    assert len(texts_to(stack, user)) == 2  # confirmed + shipped, nothing twice


def test_shipped_order_slack_customer_gets_one_dm_with_tracking(stack):
    user = f"U{uuid.uuid4().hex[:8].upper()}"
    number = stack.confirmed_order(f"slack:T0TEST:{user}", stack.product())
    stack.ship(number, "TRK-SL-1")
    stack.wait_for_state(f"order:{number}:shipped", "delivered")
    posted = [p for p in stack.slack.posted() if "TRK-SL-1" in p["text"]]
    assert len(posted) == 1 and posted[0]["channel"] == f"D{user[1:]}"
    opened = [c.fields["users"] for c in stack.slack.named("conversations.open")]
    assert user in opened


def read_backlog(stack: NotificationStack, session: str, wanted: int) -> list[dict]:
    """The web session's missed messages, replayed by the gateway's event stream."""
    messages = []
    url = f"{stack.gateway.url}/webchat/stream"
    with httpx.stream("GET", url, params={"session_id": session, "last_event_id": 0},
                      timeout=10) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                messages.append(json.loads(line[6:]))
                if len(messages) == wanted:
                    break
    return messages


def test_shipped_order_web_session_gets_it_on_its_stream(stack):
    session = uuid.uuid4().hex
    number = stack.confirmed_order(f"web:{session}", stack.product())
    stack.ship(number, "TRK-WEB-1")
    stack.wait_for_state(f"order:{number}:shipped", "delivered")
    messages = read_backlog(stack, session, wanted=2)
    assert [("TRK-WEB-1" in m["text"]) for m in messages] == [False, True]


def test_opted_out_customer_gets_nothing(stack):
    user = telegram_user()
    identity = f"telegram:{user}"
    with stack.api() as api:
        response = api.put("/me/notifications", json={"enabled": False}, headers={
            "Authorization": "Bearer test-bot-token", "X-Channel-Identity": identity})
        assert response.status_code == 200
    number = stack.confirmed_order(identity, stack.product())
    stack.ship(number, "TRK-OPT-1")
    skipped = stack.wait_for_state(f"order:{number}:shipped", "skipped")
    assert skipped["last_error"] == "customer opted out of notifications"
    assert stack.row(f"order:{number}:confirmed")["state"] == "skipped"
    assert texts_to(stack, user) == []


def test_delivered_order_asks_for_feedback_once_with_five_buttons(stack):
    user = telegram_user()
    number = stack.confirmed_order(f"telegram:{user}", stack.product())
    stack.ship(number, "TRK-FB-1")
    stack.move(number, "delivered")
    stack.wait_for_state(f"feedback:{number}", "delivered")
    asks = [c for c in stack.telegram.named("sendMessage")
            if int(c.fields["chat_id"]) == user and "How did we do" in c.fields["text"]]
    assert len(asks) == 1
    keyboard = asks[0].fields["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard] == [
        f'p:/give_feedback{{"rating": {n}, "order_number": "{number}"}}' for n in range(1, 6)]
    assert [r for r in stack.notifications(kind="feedback_request")
            if r["dedupe_key"] == f"feedback:{number}"][0]["attempts"] == 1


def test_failing_channel_ends_dead_then_staff_retry_delivers(stack):
    user = telegram_user()
    stack.telegram.failing_chats.add(user)
    number = stack.confirmed_order(f"telegram:{user}", stack.product())
    dead = stack.wait_for_state(f"order:{number}:confirmed", "dead")
    assert dead["attempts"] == 3 and "503" in dead["last_error"]
    assert any(n["id"] == dead["id"] for n in stack.notifications(state="dead"))
    attempts = [c for c in stack.telegram.named("sendMessage") if int(c.fields["chat_id"]) == user]
    assert len(attempts) == 3  # tried, backed off, tried, gave up
    stack.telegram.failing_chats.discard(user)
    with stack.api() as api:
        retried = api.post(f"/staff/notifications/{dead['id']}/retry",
                           headers={"Authorization": "Bearer test-staff-token"})
        assert retried.status_code == 200 and retried.json()["state"] == "pending"
    stack.wait_for_state(f"order:{number}:confirmed", "delivered")
    assert len(texts_to(stack, user)) == 3 + 1  # the three refused, then one delivered


def test_low_stock_alert_reaches_the_staff_channel_once(stack):
    sku = stack.product(stock=2)  # below the default threshold of 5
    stack.wait_for_state(f"low_stock:{sku}:1", "delivered")
    wait_until(lambda: stack.row(f"low_stock:{sku}:2") is None, 0.1)
    alerts = [p for p in stack.slack.posted() if p["channel"] == STAFF_CHANNEL and sku in p["text"]]
    assert len(alerts) == 1 and "Low stock" in alerts[0]["text"]
