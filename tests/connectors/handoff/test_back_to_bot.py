"""The customer leaves a handoff themselves. The phrase rules on their own (whole messages only),
then end to end: a web-chat customer, the real backend and gateway (uvicorn), Slack's Web API
faked and staff replies signed into the gateway, Rasa a stand-in that echoes."""
from __future__ import annotations

import asyncio
import time

import pytest

from connectors.handoff import back_to_bot, ticket_post
from connectors.handoff.back_to_bot import CHANGE_OF_MIND, COMMAND
from tests.e2e.handoff_stack import (STAFF_CHANNEL, HandoffStack, WebCustomer,
                                     act_like_open_ticket, start_stack)
from tests.fakes import slack_requests as sr
from tests.fakes.rasa_webhook import FakeRasa
from tests.fakes.slack_api import FakeSlackAPI
from tests.services import prepare_database

BACK_WITH_ME = "you're back with me"  # backend/support/texts.py: utter_handoff_back_to_bot


@pytest.mark.parametrize("text", [
    "back to the bot", "Back to the bot please!", "/bot", "/BOT", "take me back to the bot",
    "I want to talk to the bot", "go back to the assistant", "ok, back to the bot then",
    "never mind, back to the bot",
])
def test_commands(text):
    assert back_to_bot.wish(text) == COMMAND


@pytest.mark.parametrize("text", [
    "never mind", "Nevermind.", "never mind, I don't need a person anymore",
    "cancel my request for an agent", "Cancel the request", "I don’t need a human any more",
    "I do not need a person", "oh never mind then, thanks!", "no need for a person anymore",
    "forget it",
    # QA16 verification: these had gone to staff (the team offline until Monday)
    "bot is fine actually", "cancel that, no need for a human", "no need for a human", "forget the human",
    "ok forget about the agent", "the bot is ok", "I'll stick with the bot",
])
def test_changes_of_mind(text):
    assert back_to_bot.wish(text) == CHANGE_OF_MIND
    assert back_to_bot.read(text) == (CHANGE_OF_MIND, "")


@pytest.mark.parametrize("text, read", [
    ("forget the human, just tell me is the cast iron teapot in stock",
     (CHANGE_OF_MIND, "just tell me is the cast iron teapot in stock")),
    ("No need for a human. Where is my order?", (CHANGE_OF_MIND, "Where is my order?")),
    ("cancel that, i don't need a person - is the teapot in stock?", (CHANGE_OF_MIND, "is the teapot in stock?")),
    ("back to the bot, where is my order?", (COMMAND, "where is my order?")),
    # a way out that names no one, or a remark on the bot, is no way out with a question after it
    ("Never mind. Where is my order?", (None, "")),
    ("never mind the address, where is my order?", (None, "")),
    ("cancel that, is the teapot in stock?", (None, "")),
    ("the bot is fine, but it can't find my refund", (None, "")),
    ("where is my order? no need for a human", (None, "")),
    ("forget the human just tell me is the teapot in stock", (None, "")),  # one clause: not whole
    ("ok, thanks", (None, "")),
])
def test_a_question_after_a_way_out_that_drops_the_person_is_for_the_bot(text, read):
    assert back_to_bot.read(text) == read
    assert back_to_bot.wish(text) is None


@pytest.mark.parametrize("text", [
    "never mind the address, where is my order?", "Never mind. Where is my order?",
    "I don't want to go back to the bot", "don't cancel my request", "cancel my order",
    "where is my order?", "ok", "thanks", "", "bot", "is the bot back?",
    "back to the bot " + "and one more thing " * 10,
])
def test_ordinary_messages_stay_with_staff(text):
    assert back_to_bot.wish(text) is None


def test_back_to_bot_line():
    ticket = {"id": 4, "customer_name": "Ada <3", "channel": "web"}
    told = ticket_post.back_to_bot_line(ticket, "never mind", customer_told=True)
    assert told.startswith(":leftwards_arrow_with_hook: *Ada &lt;3* (web chat) went back to the bot")
    assert "stays open" in told and "could not be told" not in told
    assert "could not be told" in ticket_post.back_to_bot_line(ticket, "x", customer_told=False)


@pytest.fixture(scope="module")
def rasa():
    fake = FakeRasa().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def slack():
    fake = FakeSlackAPI().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, rasa, slack):
    workdir = tmp_path_factory.mktemp("back-to-bot")
    database_url = f"sqlite+aiosqlite:///{workdir / 'orderbot.db'}"
    prepare_database(database_url)
    started = start_stack(database_url, rasa, "mon-sun 00:00-24:00", slack, workdir)
    yield started
    started.stop()


async def hand_off(stack: HandoffStack, rasa: FakeRasa, customer: WebCustomer) -> dict:
    text = f"a person please ({customer.session_id})"
    act_like_open_ticket(stack, rasa, customer.sender_id, text)
    await customer.send(text)
    [ticket] = stack.tickets(conversation_id=customer.sender_id, handoff_active="true")
    assert ticket["slack_thread_ts"]
    return ticket


def thread_lines(slack: FakeSlackAPI, ticket: dict) -> list[str]:
    return [post["text"] for post in slack.posted()
            if post.get("thread_ts") == ticket["slack_thread_ts"]]


async def staff_answer(stack: HandoffStack, customer: WebCustomer, ticket: dict) -> None:
    event = {"type": "message", "channel": STAFF_CHANNEL, "channel_type": "channel",
             "user": "U0MARIA", "text": "Hi, Maria here. Which order is it?",
             "ts": f"{time.time():.6f}", "thread_ts": ticket["slack_thread_ts"]}
    assert stack.slack_post(sr.event_body(event)).status_code == 200
    await customer.wait_pushed("Maria here")


async def test_never_mind_before_staff_answer_gives_the_bot_back(stack, rasa, slack):
    async with WebCustomer(stack.gateway.url) as customer:
        ticket = await hand_off(stack, rasa, customer)
        asked_before = len(rasa.messages())

        assert await customer.send("never mind, I don't need a person anymore") == []
        pushed = await customer.wait_pushed(BACK_WITH_ME)
        assert f"#{ticket['id']}" in pushed["text"] and "follow up" in pushed["text"]
        assert len(rasa.messages()) == asked_before  # the bot did not answer it itself
        [line] = thread_lines(slack, ticket)
        assert "went back to the bot" in line
        assert "never mind, I don't need a person anymore" in line and "stays open" in line

        after = stack.ticket(ticket["id"])
        assert after["status"] == "open" and after["handoff_active"] is False
        assert "went back to the assistant" in after["transcript"][-1]["text"]
        assert await customer.send("where is my order?") == [
            {"recipient_id": customer.sender_id, "text": "echo: where is my order?"}]


async def test_a_question_starting_with_never_mind_goes_to_staff(stack, rasa, slack):
    async with WebCustomer(stack.gateway.url) as customer:
        ticket = await hand_off(stack, rasa, customer)
        assert await customer.send("never mind the address, where is my order?") == []
        [line] = thread_lines(slack, ticket)
        assert "never mind the address, where is my order?" in line
        assert "went back to the bot" not in line
        assert stack.ticket(ticket["id"])["handoff_active"] is True
        await asyncio.sleep(0.3)
        assert not any(BACK_WITH_ME in (m.get("text") or "") for m in customer.pushed)


async def test_after_staff_answered_only_back_to_the_bot_ends_it(stack, rasa, slack):
    async with WebCustomer(stack.gateway.url) as customer:
        ticket = await hand_off(stack, rasa, customer)
        await staff_answer(stack, customer, ticket)

        assert await customer.send("never mind") == []  # said to Maria
        assert stack.ticket(ticket["id"])["handoff_active"] is True
        assert any(line.endswith(": never mind") for line in thread_lines(slack, ticket))

        asked_before = len(rasa.messages())
        assert await customer.send("back to the bot") == []
        await customer.wait_pushed(BACK_WITH_ME)
        assert len(rasa.messages()) == asked_before
        assert any("went back to the bot: back to the bot" in line
                   for line in thread_lines(slack, ticket))
        after = stack.ticket(ticket["id"])
        assert after["handoff_active"] is False and after["status"] == "assigned"


async def test_a_question_after_dropping_the_person_ends_the_handoff_and_reaches_the_bot(stack, rasa, slack):
    """QA16 verification: "forget the human, just tell me is the cast iron teapot in stock" went to
    staff (offline until Monday), and the customer waited for nothing."""
    async with WebCustomer(stack.gateway.url) as customer:
        ticket = await hand_off(stack, rasa, customer)
        said = "forget the human, just tell me is the cast iron teapot in stock"
        assert await customer.send(said) == [
            {"recipient_id": customer.sender_id, "text": "echo: just tell me is the cast iron teapot in stock"}]
        await customer.wait_pushed(BACK_WITH_ME)
        assert rasa.messages()[-1]["message"] == "just tell me is the cast iron teapot in stock"
        [line] = thread_lines(slack, ticket)
        assert "went back to the bot" in line and said in line
        after = stack.ticket(ticket["id"])
        assert after["status"] == "open" and after["handoff_active"] is False
        assert after["transcript"][-1]["text"].startswith(said)


@pytest.mark.parametrize("text", ["bot is fine actually", "cancel that, no need for a human",
                                  "no need for a human"])
async def test_the_bot_said_to_do_before_staff_answered_ends_the_handoff(stack, rasa, slack, text):
    async with WebCustomer(stack.gateway.url) as customer:
        ticket = await hand_off(stack, rasa, customer)
        asked_before = len(rasa.messages())
        assert await customer.send(text) == []
        await customer.wait_pushed(BACK_WITH_ME)
        assert len(rasa.messages()) == asked_before
        assert stack.ticket(ticket["id"])["handoff_active"] is False


async def test_a_question_after_dropping_the_person_once_staff_answered_goes_to_them(stack, rasa, slack):
    async with WebCustomer(stack.gateway.url) as customer:
        ticket = await hand_off(stack, rasa, customer)
        await staff_answer(stack, customer, ticket)
        asked_before = len(rasa.messages())
        assert await customer.send("forget the human, is the teapot in stock?") == []
        assert len(rasa.messages()) == asked_before
        assert stack.ticket(ticket["id"])["handoff_active"] is True
        assert any(line.endswith(": forget the human, is the teapot in stock?")
                   for line in thread_lines(slack, ticket))
