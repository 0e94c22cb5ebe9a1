"""POST /internal/staff: alerts for the shop's team in the staff Slack channel, once per key."""
from __future__ import annotations

from tests.connectors.push.conftest import STAFF_CHANNEL, push_headers
from tests.connectors.push.test_push import running

ALERT = {"text": "Low stock: Blue mug (3 left)", "dedupe_key": "low_stock:MUG-BLUE:1"}


async def test_post_staff_alert_without_token_is_401(gateway):
    assert (await gateway.post("/internal/staff", json=ALERT)).status_code == 401


async def test_post_staff_alert_posts_to_the_staff_channel_once(gateway, slack_api):
    first = await gateway.post("/internal/staff", json=ALERT, headers=push_headers())
    second = await gateway.post("/internal/staff", json=ALERT, headers=push_headers())
    assert first.json()["posted"] is True and second.json() == {"duplicate": True}
    [posted] = slack_api.posted()
    assert posted["channel"] == STAFF_CHANNEL and posted["text"] == ALERT["text"]


async def test_post_staff_alert_without_staff_channel_is_accepted_unposted(settings, slack_api):
    async with running(settings.model_copy(update={"slack_staff_channel": ""})) as gateway:
        response = await gateway.post("/internal/staff", json=ALERT, headers=push_headers())
    assert response.status_code == 200 and response.json()["posted"] is False
    assert slack_api.posted() == []


async def test_post_staff_alert_slack_down_is_503(settings):
    broken = settings.model_copy(update={"slack_api_base_url": "http://127.0.0.1:9/api/"})
    async with running(broken) as gateway:
        response = await gateway.post("/internal/staff", json=ALERT, headers=push_headers())
    assert response.status_code == 503
