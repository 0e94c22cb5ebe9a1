"""Notification texts come from the bot's domain.yml, filled from the outbox payload."""
from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from backend.core.config import REPO_ROOT
from backend.notifications import wording

DOMAIN = REPO_ROOT / "domain.yml"
SHIPPED = {"number": "OB-ABCDEFGH", "status": "shipped", "total_minor": 4250, "currency": "EUR",
           "carrier": "DHL", "tracking_number": "JD0146000032", "estimated_delivery": "2026-12-03"}


def test_customer_messages_shipped_has_carrier_tracking_and_date():
    [message] = wording.customer_messages("order_shipped", SHIPPED, DOMAIN)
    assert "OB-ABCDEFGH" in message["text"] and "DHL" in message["text"]
    assert "JD0146000032" in message["text"] and "Thu 3 Dec" in message["text"]
    assert "{" not in message["text"]


def test_customer_messages_shipped_without_date_says_soon():
    [message] = wording.customer_messages(
        "order_shipped", {**SHIPPED, "estimated_delivery": None}, DOMAIN)
    assert "Expected delivery: soon." in message["text"]


def test_customer_messages_refunded_says_the_amount_refunded():
    [message] = wording.customer_messages("order_refunded", {**SHIPPED, "refunded_minor": 1290},
                                          DOMAIN)
    assert "We've refunded €12.90 for order OB-ABCDEFGH" in message["text"]
    [earlier] = wording.customer_messages("order_refunded", SHIPPED, DOMAIN)  # queued before
    assert "€42.50" in earlier["text"]


def test_customer_messages_feedback_has_five_exact_buttons():
    [message] = wording.customer_messages("feedback_request", {"number": "OB-ABCDEFGH"}, DOMAIN)
    assert [b["title"] for b in message["buttons"]] == ["1", "2", "3", "4", "5"]
    for rating, button in enumerate(message["buttons"], start=1):
        assert button["payload"] == (
            f'/give_feedback{{"rating": {rating}, "order_number": "OB-ABCDEFGH"}}')
        entities = json.loads(button["payload"][len("/give_feedback"):])
        assert entities == {"rating": rating, "order_number": "OB-ABCDEFGH"}
        assert len(("p:" + button["payload"]).encode()) <= 64  # inline on Telegram


def test_customer_messages_expiring_says_how_long():
    expires = datetime.now(timezone.utc) + timedelta(minutes=5, seconds=10)
    [message] = wording.customer_messages(
        "order_expiring", {**SHIPPED, "expires_at": expires.isoformat()}, DOMAIN)
    assert "5 minutes" in message["text"]


@pytest.mark.parametrize("kind", sorted(wording.CUSTOMER_RESPONSES))
def test_customer_messages_every_kind_is_in_the_domain(kind):
    [message] = wording.customer_messages(kind, SHIPPED, DOMAIN)
    assert message["text"] and "{number}" not in message["text"]


def test_customer_messages_silent_kind_is_none():
    assert wording.customer_messages("order_pending", SHIPPED, DOMAIN) is None


def test_customer_messages_missing_response_raises(tmp_path: Path):
    domain = tmp_path / "domain.yml"
    domain.write_text("responses:\n  utter_default:\n    - text: hi\n")
    with pytest.raises(wording.MissingResponse):
        wording.customer_messages("order_shipped", SHIPPED, domain)


def test_customer_messages_follow_edits_of_the_domain(tmp_path: Path):
    domain = tmp_path / "domain.yml"
    domain.write_text('responses:\n  utter_notify_order_delivered:\n    - text: "A {number}"\n')
    assert wording.customer_messages("order_delivered", SHIPPED, domain)[0]["text"] == "A OB-ABCDEFGH"
    domain.write_text('responses:\n  utter_notify_order_delivered:\n    - text: "Bee {number}"\n')
    os.utime(domain, (1, 1))  # a different mtime even within the same clock tick
    assert wording.customer_messages("order_delivered", SHIPPED, domain)[0]["text"] == "Bee OB-ABCDEFGH"


def test_fill_leaves_unknown_placeholders_and_json_braces():
    assert wording.fill('{"a": "{x}", "b": "{y}"}', {"x": "1"}) == '{"a": "1", "b": "{y}"}'


def test_staff_text_low_stock():
    text = wording.staff_text("staff_low_stock", {"sku": "MUG-1", "name": "Blue mug",
                                                  "available": 2, "threshold": 5})
    assert text == ("Low stock: Blue mug (MUG-1) has 2 available, below its threshold of 5. "
                    "See the reorder suggestions on the staff dashboard.")


def test_staff_text_low_stock_at_the_forecast_reorder_point():
    text = wording.staff_text("staff_low_stock", {"sku": "MUG-1", "name": "Blue mug",
                                                  "available": 7, "threshold": 5,
                                                  "reorder_point": 9.5})
    assert text.startswith("Low stock: Blue mug (MUG-1) has 7 available, at or below its "
                           "forecast reorder point of 9.5.")
    assert "threshold" not in text
