"""What a notification says. Customer texts are the bot's responses in domain.yml (one place to
edit wording), filled from the outbox row's payload the way Rasa fills them; staff alerts are
plain texts for the team."""
from __future__ import annotations

import random
import re
from datetime import date, datetime
from pathlib import Path

import yaml

from backend.core.base import utcnow

# Outbox kind -> the domain response that words it. Kinds missing here (order_pending,
# order_processing, ...) have nothing worth telling the customer and are skipped.
CUSTOMER_RESPONSES = {
    "order_confirmed": "utter_notify_order_confirmed",
    "order_shipped": "utter_notify_order_shipped",
    "order_delivered": "utter_notify_order_delivered",
    "order_cancelled": "utter_notify_order_cancelled",
    "order_refunded": "utter_notify_order_refunded",
    "order_expiring": "utter_notify_order_expiring",
    "feedback_request": "utter_ask_order_feedback",
}
_PLACEHOLDER = re.compile(r"\{([^\n{}]+?)\}")  # Rasa's: "{x}" without braces inside
_CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}
_cache: dict[Path, tuple[float, dict]] = {}


class MissingResponse(Exception):
    """domain.yml has no such response: a deployment problem, retried until fixed."""


def load_responses(path: Path) -> dict[str, list[dict]]:
    """The domain's responses, re-read when the file changes (edits apply without a restart)."""
    mtime = path.stat().st_mtime
    cached = _cache.get(path)
    if cached is None or cached[0] != mtime:
        domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        _cache[path] = (mtime, domain.get("responses") or {})
    return _cache[path][1]


def format_money(minor: int | None, currency: str | None) -> str:
    if minor is None:
        return ""
    currency = (currency or "").upper()
    amount = f"{minor / 100:,.2f}"
    symbol = _CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{amount}" if symbol else f"{amount} {currency}".strip()


def _friendly_date(value: str | None) -> str:
    if not value:
        return "soon"
    return date.fromisoformat(value[:10]).strftime("%a %d %b").replace(" 0", " ")


def _minutes_left(expires_at: str | None, now: datetime) -> str:
    if not expires_at:
        return "a few minutes"
    minutes = max(1, round((datetime.fromisoformat(expires_at) - now).total_seconds() / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def placeholders(payload: dict, now: datetime | None = None) -> dict[str, str]:
    """The payload as the texts use it: money and dates formatted for reading."""
    values = {key: "" if value is None else str(value) for key, value in payload.items()}
    values["total"] = format_money(payload.get("total_minor"), payload.get("currency"))
    # Rows queued before the payload carried the refund said the total.
    values["refunded"] = format_money(payload.get("refunded_minor", payload.get("total_minor")),
                                      payload.get("currency"))
    values["estimated_delivery"] = _friendly_date(payload.get("estimated_delivery"))
    values["expires_in"] = _minutes_left(payload.get("expires_at"), now or utcnow())
    return values


def fill(template: str, values: dict[str, str]) -> str:
    """Replaces each {name} with its value; unknown names stay as written (like Rasa)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def customer_messages(kind: str, payload: dict, domain_path: Path) -> list[dict] | None:
    """Rasa-format messages for the customer, or None when this kind says nothing."""
    name = CUSTOMER_RESPONSES.get(kind)
    if name is None:
        return None
    variations = load_responses(domain_path).get(name)
    if not variations:
        raise MissingResponse(f"{domain_path} has no response {name}")
    values = placeholders(payload)
    chosen = random.choice(variations)  # Rasa picks among variations the same way
    message = {"text": fill(chosen.get("text", ""), values)}
    if chosen.get("buttons"):
        message["buttons"] = [{"title": fill(str(b["title"]), values),
                               "payload": fill(str(b["payload"]), values)}
                              for b in chosen["buttons"]]
    if chosen.get("image"):
        message["image"] = fill(str(chosen["image"]), values)
    return [message]


def staff_text(kind: str, payload: dict) -> str:
    """The alert for the team's Slack channel (and the staff API)."""
    if kind == "staff_low_stock":
        return _low_stock_text(payload)
    if kind == "staff_expired_order":
        return (f"Order {payload['number']} ({payload.get('channel') or 'unknown channel'}) "
                "expired: the customer never confirmed it and its stock was released.")
    if kind == "staff_stuck_order":
        return (f"Order {payload['number']} has been {payload['status']} for "
                f"{payload['hours']} hours without moving on; please check it.")
    return str(payload.get("text") or kind)  # other staff kinds carry their own text


def _low_stock_text(payload: dict) -> str:
    text = f"Low stock: {payload['name']} ({payload['sku']}) has {payload['available']} available"
    point = payload.get("reorder_point")
    if payload["available"] < payload["threshold"]:
        text += f", below its threshold of {payload['threshold']}"
    if point is not None and payload["available"] <= point:
        text += f", at or below its forecast reorder point of {point:g}"
    return text + ". See the reorder suggestions on the staff dashboard."
