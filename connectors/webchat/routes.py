"""Web chat endpoint: the widget posts a message, the gateway asks the bot and returns its replies."""
from __future__ import annotations

import html
import logging
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import BaseModel, Field

from connectors.config import GatewaySettings, get_settings
from connectors.handoff.relay import HandoffRelay
from connectors.rasa_client import BotUnavailable
from connectors.webchat.deps import SESSION_ID_PATTERN, RasaDep, ReplyCacheDep

logger = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"
router = APIRouter(tags=["webchat"])

BOT_UNAVAILABLE_TEXT = "Sorry, I can't answer right now. Please try again in a moment."


class WebMessage(BaseModel):
    session_id: Annotated[str, Field(pattern=SESSION_ID_PATTERN)]
    text: Annotated[str, Field(max_length=20000)]
    # The widget's id for this message (a uuid); a retry with the same id gets the same replies.
    client_message_id: Annotated[str | None, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")] = None


class WebReplies(BaseModel):
    replies: list[dict[str, Any]]


def _is_blank(text: str) -> bool:
    return not re.sub(r"[\s\x00-\x1f]", "", text)


@router.post("/webchat/messages", response_model=WebReplies, name="post_web_message")
async def post_web_message(
    message: WebMessage,
    request: Request,
    rasa: RasaDep,
    reply_cache: ReplyCacheDep,
    settings: Annotated[GatewaySettings, Depends(get_settings)],
) -> WebReplies:
    if _is_blank(message.text):
        return WebReplies(replies=[{"text": "I didn't catch anything there. What can I help you with?"}])
    if len(message.text) > settings.max_message_chars:
        limit = settings.max_message_chars
        return WebReplies(replies=[{"text": f"That message is a bit long for me. Could you keep it under {limit} characters?"}])

    handoff: HandoffRelay = request.app.state.handoff
    sender_id = f"web:{message.session_id}"

    async def ask() -> list[dict]:
        message_id = message.client_message_id and f"{sender_id}:{message.client_message_id}"
        text = await handoff.route(sender_id, message.text, message_id)
        if text is None:
            return []  # staff have this conversation (or it just ended, nothing asked): the bot stays silent
        replies = await rasa.send(sender_id, text, {"channel": "web"})
        return await handoff.intercept(sender_id, replies)

    try:
        if message.client_message_id is None:
            return WebReplies(replies=await ask())
        key = (message.session_id, message.client_message_id)
        return WebReplies(replies=await reply_cache.get_or_ask(key, ask))
    except BotUnavailable:
        return WebReplies(replies=[{"text": BOT_UNAVAILABLE_TEXT, "error": "bot_unavailable"}])


@router.get("/webchat/widget.js", include_in_schema=False)
async def widget_script() -> FileResponse:
    return FileResponse(STATIC_DIR / "widget.js", media_type="text/javascript")


@router.get("/webchat/widget.css", include_in_schema=False)
async def widget_style() -> FileResponse:
    return FileResponse(STATIC_DIR / "widget.css", media_type="text/css")


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def demo_shop_page(settings: Annotated[GatewaySettings, Depends(get_settings)]) -> HTMLResponse:
    page = (STATIC_DIR / "demo_shop.html").read_text(encoding="utf-8")
    return HTMLResponse(page.replace("{{SHOP_NAME}}", html.escape(settings.shop_name)))
