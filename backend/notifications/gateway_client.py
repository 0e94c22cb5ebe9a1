"""Talks to the channel gateway's internal routes (connectors/push.py) over HTTP."""
from __future__ import annotations

from dataclasses import dataclass

import httpx

from backend.core.config import Settings

# Answers that will be the same however often we ask: end the row dead at once. 401/403 are
# not here: a wrong GATEWAY_PUSH_TOKEN is fixed by configuration, and retrying then succeeds.
PERMANENT_STATUSES = frozenset({400, 404, 410, 413, 422})


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    error: str = ""
    permanent: bool = False
    duplicate: bool = False


class GatewayClient:
    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self._client = httpx.AsyncClient(
            base_url=settings.GATEWAY_URL.rstrip("/"), timeout=settings.NOTIFY_TIMEOUT_SECONDS,
            headers={"Authorization": f"Bearer {settings.GATEWAY_PUSH_TOKEN}"},
            transport=transport)

    async def push(self, sender_id: str, messages: list[dict], dedupe_key: str) -> Outcome:
        return await self._post("/internal/push", {"sender_id": sender_id, "messages": messages,
                                                   "dedupe_key": dedupe_key})

    async def staff(self, text: str, dedupe_key: str, blocks: list[dict] | None = None) -> Outcome:
        body = {"text": text, "dedupe_key": dedupe_key}
        if blocks:
            body["blocks"] = blocks
        return await self._post("/internal/staff", body)

    async def _post(self, path: str, body: dict) -> Outcome:
        try:
            response = await self._client.post(path, json=body)
        except httpx.HTTPError as error:
            return Outcome(False, f"gateway unreachable: {error.__class__.__name__}: {error}")
        if response.is_success:
            return Outcome(True, duplicate=bool(response.json().get("duplicate")))
        return Outcome(False, f"gateway {response.status_code}: {_detail(response)}",
                       permanent=response.status_code in PERMANENT_STATUSES)

    async def aclose(self) -> None:
        await self._client.aclose()


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    return str(body.get("detail") or body)[:300] if isinstance(body, dict) else str(body)[:300]
