"""A dispatcher killed (SIGKILL) after the gateway delivered a message but before it recorded
that loses nothing and sends nothing twice: after a restart the row is claimed again when its
lease runs out, re-sent with the same dedupe key, and the gateway drops the repeat."""
from __future__ import annotations

import uuid

import pytest

from tests.e2e.notifications_stack import FlakyTelegramAPI, NotificationStack, wait_until
from tests.fakes.slack_api import FakeSlackAPI

pytestmark = pytest.mark.live


@pytest.fixture
def stack(tmp_path):
    telegram, slack = FlakyTelegramAPI().start(), FakeSlackAPI().start()
    stack = NotificationStack(tmp_path, telegram, slack)
    try:
        yield stack.start()
    finally:
        stack.stop()
        telegram.stop()
        slack.stop()


def test_dispatcher_killed_between_delivery_and_ack_still_sends_once(stack):
    user = 10**8 + uuid.uuid4().int % 10**8
    number = stack.confirmed_order(f"telegram:{user}", stack.product())
    # Test-only setting: 4 s between the gateway's answer and recording the row delivered.
    first = stack.start_dispatcher(NOTIFY_ACK_DELAY_MS="4000")
    stack.wait_for_state(f"order:{number}:confirmed", "delivered")
    stack.ship(number, "TRK-CRASH-1")

    def shipped_texts() -> list[str]:
        return [c.fields["text"] for c in stack.telegram.named("sendMessage")
                if int(c.fields["chat_id"]) == user and "TRK-CRASH-1" in c.fields["text"]]

    wait_until(shipped_texts, 20, "the shipped message at the fake Telegram")
    stack.kill(first)  # inside the 4 s window: the row is still pending, leased
    row = stack.row(f"order:{number}:shipped")
    assert row["state"] == "pending" and row["attempts"] == 1

    stack.start_dispatcher()
    delivered = stack.wait_for_state(f"order:{number}:shipped", "delivered", timeout=30)
    assert delivered["attempts"] == 2  # it really was sent again after the restart...
    assert len(shipped_texts()) == 1  # ...and the customer still got it once
