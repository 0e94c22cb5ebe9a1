"""POST /slack/events in the gateway: Slack's signature check (401 for unsigned, wrongly signed
or stale requests), then events answered once even when Slack retries."""
from __future__ import annotations

import asyncio
import json
import time

import httpx

from connectors.gateway import create_app
from tests.connectors.slack.conftest import SIGNING_SECRET
from tests.fakes import slack_requests as sr

URL = "/slack/events"


def _body() -> str:
    return sr.event_body(sr.dm_event("hi"))


async def test_events_unsigned_is_unauthorized(gateway, slack_api):
    headers = {"content-type": "application/json"}
    response = await gateway.post(URL, content=_body(), headers=headers)
    assert response.status_code == 401


async def test_events_wrong_signature_is_unauthorized(gateway, slack_api):
    body = _body()
    headers = sr.signed_headers("wrong-secret", body)
    response = await gateway.post(URL, content=body, headers=headers)
    assert response.status_code == 401


async def test_events_stale_timestamp_is_unauthorized(gateway, slack_api):
    body = _body()
    stale = int(time.time()) - 10 * 60
    response = await gateway.post(URL, content=body,
                                  headers=sr.signed_headers(SIGNING_SECRET, body, stale))
    assert response.status_code == 401
    await asyncio.sleep(0.2)
    assert slack_api.posted() == []


async def test_events_url_verification_answers_challenge(gateway):
    body = json.dumps({"token": "legacy", "challenge": "c-123", "type": "url_verification"})
    headers = sr.signed_headers(SIGNING_SECRET, body)
    response = await gateway.post(URL, content=body, headers=headers)
    assert response.status_code == 200
    assert response.json()["challenge"] == "c-123"


async def test_events_signed_dm_retried_replies_once(gateway, slack_api, rasa):
    body = sr.event_body(sr.dm_event("hi"), event_id="Ev0HTTPRETRY")
    first = await gateway.post(URL, content=body, headers=sr.signed_headers(SIGNING_SECRET, body))
    retry_headers = {**sr.signed_headers(SIGNING_SECRET, body), "x-slack-retry-num": "1"}
    retry = await gateway.post(URL, content=body, headers=retry_headers)
    assert (first.status_code, retry.status_code) == (200, 200)
    await slack_api.wait_for("chat.postMessage")
    await asyncio.sleep(0.3)
    assert len(slack_api.posted()) == 1


async def test_events_not_mounted_without_signing_secret(settings):
    app = create_app(settings.model_copy(update={"slack_signing_secret": ""}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        response = await client.post(URL, content=_body())
    assert response.status_code == 404
