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
from connectors.rasa_client import BotUnavailable, RasaClient

logger = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"
router = APIRouter(tags=["webchat"])

BOT_UNAVAILABLE_TEXT = "Sorry, I can't answer right now. Please try again in a moment."


class WebMessage(BaseModel):
    session_id: Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    text: Annotated[str, Field(max_length=20000)]


class WebReplies(BaseModel):
    replies: list[dict[str, Any]]


def get_rasa(request: Request) -> RasaClient:
    return request.app.state.rasa


def _is_blank(text: str) -> bool:
    return not re.sub(r"[\s\x00-\x1f]", "", text)


@router.post("/webchat/messages", response_model=WebReplies, name="post_web_message")
async def post_web_message(
    message: WebMessage,
    rasa: Annotated[RasaClient, Depends(get_rasa)],
    settings: Annotated[GatewaySettings, Depends(get_settings)],
) -> WebReplies:
    if _is_blank(message.text):
        return WebReplies(replies=[{"text": "I didn't catch anything there. What can I help you with?"}])
    if len(message.text) > settings.max_message_chars:
        limit = settings.max_message_chars
        return WebReplies(replies=[{"text": f"That message is a bit long for me. Could you keep it under {limit} characters?"}])
    try:
        replies = await rasa.send(f"web:{message.session_id}", message.text, {"channel": "web"})
    except BotUnavailable:
        return WebReplies(replies=[{"text": BOT_UNAVAILABLE_TEXT, "error": "bot_unavailable"}])
    return WebReplies(replies=replies)


@router.get("/webchat/widget.js", include_in_schema=False)
async def widget_script() -> FileResponse:
    return FileResponse(STATIC_DIR / "widget.js", media_type="text/javascript")


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def demo_shop_page(settings: Annotated[GatewaySettings, Depends(get_settings)]) -> HTMLResponse:
    page = (STATIC_DIR / "demo_shop.html").read_text(encoding="utf-8")
    return HTMLResponse(page.replace("{{SHOP_NAME}}", html.escape(settings.shop_name)))
