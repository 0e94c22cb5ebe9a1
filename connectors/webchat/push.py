"""POST /internal/push: proactive messages (notifications, a human agent) to a conversation, in
Rasa's reply format. Guarded by a bearer token (GATEWAY_PUSH_TOKEN). Web sessions get them on their
open streams and from the backlog when they reconnect; other channels are not wired up yet."""
from __future__ import annotations

import hmac
import logging
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from connectors.config import GatewaySettings, get_settings
from connectors.webchat.deps import SESSION_ID_PATTERN, HubDep

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/internal", tags=["internal"])
bearer = HTTPBearer(auto_error=False)


class PushRequest(BaseModel):
    sender_id: Annotated[str, Field(min_length=3, max_length=200, pattern=r"^[a-z]+:\S+$")]
    messages: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=20)]


class PushResult(BaseModel):
    event_ids: list[int]
    delivered_to: int  # open streams (tabs) that got it now; the others get it on reconnect


def require_push_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    settings: Annotated[GatewaySettings, Depends(get_settings)],
) -> None:
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "bearer token required",
                            headers={"WWW-Authenticate": "Bearer"})
    expected = settings.gateway_push_token.encode()
    if not expected or not hmac.compare_digest(credentials.credentials.encode(), expected):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "wrong push token")


@router.post("/push", response_model=PushResult, name="push_messages",
             dependencies=[Depends(require_push_token)])
async def push_messages(push: PushRequest, hub: HubDep) -> PushResult:
    channel, _, conversation = push.sender_id.partition(":")
    if channel != "web":
        raise HTTPException(422, f"pushing to {channel} is not supported yet")
    if not re.fullmatch(SESSION_ID_PATTERN, conversation):
        raise HTTPException(422, "not a web session id")
    event_ids, delivered = hub.publish(conversation, push.messages)
    logger.info("pushed %d message(s) to a web session, %d open stream(s)", len(event_ids), delivered)
    return PushResult(event_ids=event_ids, delivered_to=delivered)
