"""The gateway's internal routes for messages nobody asked for right now:

- POST /internal/push: Rasa-format messages to one conversation on any channel (order
  notifications from the backend's dispatcher; anything else that must reach a customer).
- POST /internal/staff: a message for the shop's team in the staff Slack channel (alerts).

Both need the bearer token GATEWAY_PUSH_TOKEN and take an optional `dedupe_key`: a key already
delivered is answered 200 with "duplicate": true and sends nothing, even after a restart (the
keys live in GATEWAY_STATE_DB). Failures are problem+json: 422 for a recipient that can never be
reached, 503 for a channel not configured or failing, so the sender retries or gives up."""
from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from connectors.common import KeyedLocks
from connectors.config import GatewaySettings, get_settings
from connectors.delivered_keys import DeliveredKeys
from connectors.handoff.staff_channel import post_staff_message
from connectors.outbound import BadRecipient, ChannelUnavailable, Outbound

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/internal", tags=["internal"])
bearer = HTTPBearer(auto_error=False)
_key_locks = KeyedLocks()  # one delivery per dedupe key at a time in this process

DedupeKey = Annotated[str | None, Field(default=None, min_length=1, max_length=200)]


class PushRequest(BaseModel):
    sender_id: Annotated[str, Field(min_length=3, max_length=200, pattern=r"^[a-z]+:\S+$")]
    messages: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=20)]
    dedupe_key: DedupeKey = None


class StaffRequest(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=40_000)]
    blocks: list[dict[str, Any]] | None = None
    dedupe_key: DedupeKey = None


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


def problem(status_code: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse({"type": "about:blank", "title": title, "status": status_code,
                         "detail": detail}, status_code=status_code,
                        media_type="application/problem+json")


async def once(keys: DeliveredKeys, key: str | None,
               deliver: Callable[[], Awaitable[dict]]) -> dict | JSONResponse:
    """Runs `deliver` unless `key` was delivered before; records the key after a success."""
    if key is None:
        return await _guarded(deliver)
    async with _key_locks(key):
        if await keys.contains(key):
            return {"duplicate": True}
        result = await _guarded(deliver)
        if isinstance(result, dict):
            await keys.add(key)
        return result


async def _guarded(deliver: Callable[[], Awaitable[dict]]) -> dict | JSONResponse:
    try:
        return {"duplicate": False, **await deliver()}
    except BadRecipient as error:
        return problem(422, "Recipient not reachable", str(error))
    except ChannelUnavailable as error:
        logger.warning("proactive delivery failed: %s", error)
        return problem(503, "Channel unavailable", str(error))


@router.post("/push", name="push_messages", dependencies=[Depends(require_push_token)])
async def push_messages(push: PushRequest, request: Request):
    outbound: Outbound = request.app.state.outbound
    result = await once(request.app.state.delivered_keys, push.dedupe_key,
                        lambda: outbound.send(push.sender_id, push.messages))
    if isinstance(result, dict) and not result["duplicate"]:
        logger.info("pushed %d message(s) to a %s conversation", len(push.messages),
                    push.sender_id.partition(":")[0])
    return result


@router.post("/staff", name="post_staff_alert", dependencies=[Depends(require_push_token)])
async def post_staff_alert(alert: StaffRequest, request: Request,
                           settings: Annotated[GatewaySettings, Depends(get_settings)]):
    async def deliver() -> dict:
        try:
            ts = await post_staff_message(settings, alert.text, alert.blocks)
        except Exception as error:  # SlackApiError or a network error: let the sender retry
            raise ChannelUnavailable(f"staff channel failed: {error}") from error
        # Without a staff channel the alert still counts: staff see it in the staff API.
        return {"posted": ts is not None, "ts": ts}

    return await once(request.app.state.delivered_keys, alert.dedupe_key, deliver)
