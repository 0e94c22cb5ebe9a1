"""Turns the bot's replies into chat.postMessage arguments: escaped mrkdwn text (the bot cannot
inject links or @channel), Block Kit buttons and images, long texts split into several messages."""
from __future__ import annotations

import logging

from connectors.common import split_text

logger = logging.getLogger(__name__)

SECTION_LIMIT = 3000  # characters in a section block's text
BUTTON_ACTION_PREFIX = "rasa_button_"
CHOOSE_TEXT = "Please choose:"


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escaped_length(text: str) -> int:
    return len(escape(text))


def messages(reply: dict) -> list[dict]:
    """One reply from the bot as a list of chat.postMessage keyword arguments."""
    custom = reply.get("custom")
    if isinstance(custom, dict) and isinstance(custom.get("blocks"), list):
        return [{"text": str(custom.get("text") or CHOOSE_TEXT), "blocks": custom["blocks"]}]
    text = _text(reply)
    pieces = split_text(text, SECTION_LIMIT, escaped_length) if text else []
    chunks = [escape(piece) for piece in pieces]
    extras = _extra_blocks(reply)
    if not extras:
        return [{"text": chunk} for chunk in chunks]
    last = chunks.pop() if chunks else ""
    blocks = ([_section(last)] if last else []) + extras
    fallback = last or str(reply.get("image") or CHOOSE_TEXT)
    return [{"text": chunk} for chunk in chunks] + [{"text": fallback, "blocks": blocks}]


def _text(reply: dict) -> str:
    text, custom = reply.get("text"), reply.get("custom")
    if not text and isinstance(custom, dict):
        text = custom.get("text")
    return text if isinstance(text, str) else ""


def _extra_blocks(reply: dict) -> list[dict]:
    blocks = []
    if reply.get("image"):
        blocks.append({"type": "image", "image_url": str(reply["image"]), "alt_text": "image"})
    buttons = _buttons(reply.get("buttons"))
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return blocks


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _buttons(buttons: list[dict] | None) -> list[dict]:
    elements = []
    for index, button in enumerate(buttons or []):
        title = str(button.get("title") or "").strip()
        payload = str(button.get("payload") or title)
        if not title or len(payload) > 2000 or len(elements) == 25:
            logger.warning("skipping a button Slack cannot show (title %r)", title[:40])
            continue
        elements.append({"type": "button", "action_id": f"{BUTTON_ACTION_PREFIX}{index}",
                         "text": {"type": "plain_text", "text": title[:75], "emoji": True},
                         "value": payload})
    return elements
