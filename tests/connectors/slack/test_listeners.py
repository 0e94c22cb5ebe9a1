"""Slack listeners through the real Bolt AsyncApp (signed AsyncBoltRequests) against the fake
Slack Web API and the Rasa stand-in."""
from __future__ import annotations

import asyncio
import time

from connectors.common import BOT_UNAVAILABLE_TEXT, NON_TEXT_INPUT_TEXT
from tests.connectors.slack.conftest import signed_request
from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import BOT_ID, TEAM_ID


async def test_dm_posts_one_reply(bolt_app, slack_api, rasa):
    rasa.replies["hi"] = [{"text": "Hello <!channel> & you"}]
    response = await bolt_app.async_dispatch(signed_request(sr.event_body(sr.dm_event("hi"))))
    assert response.status == 200
    await slack_api.wait_for("chat.postMessage")
    await asyncio.sleep(0.2)
    (post,) = slack_api.posted()
    assert post["channel"] == sr.DM_CHANNEL
    assert post["text"] == "Hello &lt;!channel&gt; &amp; you"
    (message,) = rasa.messages()
    assert message["sender"] == f"slack:{TEAM_ID}:{sr.USER_ID}"
    assert message["metadata"]["channel"] == "slack"


async def test_dm_retry_with_same_event_id_replies_once(bolt_app, slack_api, rasa):
    body = sr.event_body(sr.dm_event("hello"), event_id="Ev0RETRY1")
    first = await bolt_app.async_dispatch(signed_request(body))
    retry = await bolt_app.async_dispatch(signed_request(
        body, **{"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"}))
    assert (first.status, retry.status) == (200, 200)
    await slack_api.wait_for("chat.postMessage")
    await asyncio.sleep(0.3)
    assert len(slack_api.posted()) == 1
    assert len(rasa.messages()) == 1


async def test_bot_messages_and_subtypes_are_ignored(bolt_app, slack_api, rasa):
    events = [sr.dm_event("from a bot", bot_id=BOT_ID, subtype="bot_message"),
              sr.dm_event("edited", subtype="message_changed"),
              {**sr.dm_event("in a channel"), "channel_type": "channel", "channel": "C0SHOP"}]
    for event in events:
        response = await bolt_app.async_dispatch(signed_request(sr.event_body(event)))
        assert response.status == 200
    await asyncio.sleep(0.3)
    assert slack_api.posted() == []
    assert rasa.messages() == []


async def test_file_without_text_gets_polite_answer(bolt_app, slack_api, rasa):
    event = sr.dm_event("", subtype="file_share", files=[{"id": "F1"}])
    await bolt_app.async_dispatch(signed_request(sr.event_body(event)))
    (post,) = await slack_api.wait_for("chat.postMessage")
    assert post.fields["text"] == NON_TEXT_INPUT_TEXT
    assert rasa.messages() == []


async def test_mention_replies_in_thread(bolt_app, slack_api, rasa):
    event = sr.mention_event("where is my order")
    await bolt_app.async_dispatch(signed_request(sr.event_body(event)))
    (post,) = await slack_api.wait_for("chat.postMessage")
    assert post.fields["thread_ts"] == event["ts"]
    assert post.fields["channel"] == "C0SHOP"
    assert rasa.messages()[0]["message"] == "where is my order"


async def test_buttons_become_block_kit_actions(bolt_app, slack_api, rasa):
    buttons = [{"title": "Small", "payload": '/inform{"size": "small"}'},
               {"title": "Large", "payload": "/large"}]
    rasa.replies["order"] = [{"text": "Which size?", "buttons": buttons}]
    await bolt_app.async_dispatch(signed_request(sr.event_body(sr.dm_event("order"))))
    (post,) = await slack_api.wait_for("chat.postMessage")
    section, actions = post.fields["blocks"]
    assert section["text"]["text"] == "Which size?"
    assert [b["value"] for b in actions["elements"]] == ['/inform{"size": "small"}', "/large"]
    assert [b["action_id"] for b in actions["elements"]] == ["rasa_button_0", "rasa_button_1"]


async def test_button_action_acked_and_forwarded(bolt_app, slack_api, rasa):
    rasa.replies["/affirm"] = [{"text": "Great, confirmed."}]
    body = sr.action_body("/affirm", slack_api.response_url("action"))
    response = await bolt_app.async_dispatch(signed_request(body, sr.FORM))
    assert response.status == 200
    (post,) = await slack_api.wait_for("chat.postMessage")
    assert post.fields["text"] == "Great, confirmed."
    assert rasa.messages()[0]["message"] == "/affirm"
    assert rasa.messages()[0]["sender"] == f"slack:{TEAM_ID}:{sr.USER_ID}"


async def test_order_command_acks_fast_then_answers(bolt_app, slack_api, rasa):
    rasa.delay = 1.0
    rasa.replies["i want to order 2 mugs"] = [{"text": "Two mugs it is."}]
    body = sr.command_body("2 mugs", slack_api.response_url("order"))
    started = time.monotonic()
    response = await bolt_app.async_dispatch(signed_request(body, sr.FORM))
    assert response.status == 200
    assert time.monotonic() - started < 0.8
    (answer,) = await slack_api.wait_for("order", timeout=5)
    assert answer.fields["text"] == "Two mugs it is."
    assert answer.fields["response_type"] == "ephemeral"


async def test_rasa_down_gets_polite_message(bolt_app, slack_api, rasa):
    rasa.failing = True
    await bolt_app.async_dispatch(signed_request(sr.event_body(sr.dm_event("hi"))))
    (post,) = await slack_api.wait_for("chat.postMessage")
    assert post.fields["text"] == BOT_UNAVAILABLE_TEXT


async def test_long_reply_is_split(bolt_app, slack_api, rasa):
    rasa.replies["long"] = [{"text": "x " * 4000}]
    await bolt_app.async_dispatch(signed_request(sr.event_body(sr.dm_event("long"))))
    posts = await slack_api.wait_for("chat.postMessage", count=3)
    assert len(posts) == 3
    assert all(len(post.fields["text"]) <= 3000 for post in posts)


async def test_custom_blocks_and_images_render_natively(bolt_app, slack_api, rasa):
    blocks = [{"type": "divider"}]
    rasa.replies["show"] = [{"custom": {"text": "Catalogue", "blocks": blocks}},
                            {"image": "https://shop.example/mug.png"}]
    await bolt_app.async_dispatch(signed_request(sr.event_body(sr.dm_event("show"))))
    first, second = await slack_api.wait_for("chat.postMessage", count=2)
    assert first.fields["blocks"] == blocks
    assert second.fields["blocks"][0]["image_url"] == "https://shop.example/mug.png"
