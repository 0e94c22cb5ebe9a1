"""Telegram handlers through the real PTB application against the fake Bot API and Rasa."""
from __future__ import annotations

import logging

from telegram import Update

from connectors.common import (BOT_UNAVAILABLE_TEXT, EMPTY_INPUT_TEXT, ERROR_TEXT,
                               NON_TEXT_INPUT_TEXT)
from connectors.telegram.app import build_application
from connectors.telegram.handlers import (EXPIRED_BUTTON_TEXT, NOT_YOUR_BUTTON_TEXT,
                                          UNKNOWN_COMMAND_TEXT)
from tests.fakes import telegram_updates as tg

LONG_PAYLOAD = '/place_order{"product": "Extra large hand-thrown stoneware teapot, speckled glaze"}'


async def feed(application, body: dict) -> None:
    await application.process_update(Update.de_json(body, application.bot))


async def test_text_sends_bot_reply_once(application, telegram_api, rasa):
    rasa.replies["hello"] = [{"text": "Hi *there* _friend_ [x](y)"}]
    await feed(application, tg.update(tg.message("hello")))
    (call,) = telegram_api.named("sendMessage")
    assert call.fields["text"] == "Hi *there* _friend_ [x](y)"
    assert "parse_mode" not in call.fields


async def test_buttons_become_inline_keyboard_within_64_bytes(application, telegram_api, rasa):
    buttons = [{"title": "Yes", "payload": "/affirm"}, {"title": "Teapot", "payload": LONG_PAYLOAD}]
    rasa.replies["order"] = [{"text": "Which one?", "buttons": buttons}]
    await feed(application, tg.update(tg.message("order")))
    (call,) = telegram_api.named("sendMessage")
    rows = call.fields["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in rows] == ["Yes", "Teapot"]
    assert all(len(row[0]["callback_data"].encode()) <= 64 for row in rows)


async def test_button_press_answered_first_and_sent_to_rasa(application, telegram_api, rasa):
    buttons = [{"title": "Teapot", "payload": LONG_PAYLOAD}]
    rasa.replies["order"] = [{"text": "Which?", "buttons": buttons}]
    await feed(application, tg.update(tg.message("order")))
    keyboard = telegram_api.named("sendMessage")[0].fields["reply_markup"]["inline_keyboard"]
    data = keyboard[0][0]["callback_data"]
    rasa.replies[LONG_PAYLOAD] = [{"text": "One teapot, coming up."}]
    await feed(application, tg.callback_update(data))
    (answer,) = telegram_api.named("answerCallbackQuery")
    assert rasa.messages()[-1]["message"] == LONG_PAYLOAD
    assert answer.at < rasa.named("webhook")[-1].at
    assert telegram_api.sent_texts()[-1] == "One teapot, coming up."


async def test_expired_button_is_answered_without_asking_rasa(application, telegram_api, rasa):
    await feed(application, tg.callback_update("k:unknown-key"))
    (answer,) = telegram_api.named("answerCallbackQuery")
    assert answer.fields["text"] == EXPIRED_BUTTON_TEXT
    assert rasa.messages() == []


async def test_group_button_of_other_user_is_refused(application, telegram_api, rasa):
    original = tg.mention_message("order", user_id=tg.USER_ID)
    await feed(application, tg.callback_update("p:/affirm", user_id=tg.OTHER_USER_ID,
                                               chat_id=tg.GROUP_ID, reply_to=original))
    (answer,) = telegram_api.named("answerCallbackQuery")
    assert answer.fields["text"] == NOT_YOUR_BUTTON_TEXT
    assert rasa.messages() == []


async def test_long_reply_is_split_at_4096(application, telegram_api, rasa):
    text = ("word " * 2500).strip()
    rasa.replies["long"] = [{"text": text}]
    await feed(application, tg.update(tg.message("long")))
    parts = telegram_api.sent_texts()
    assert len(parts) == 4
    assert all(len(part) <= 4096 for part in parts)
    assert " ".join(parts) == text


async def test_group_message_not_addressed_is_ignored(application, telegram_api, rasa):
    await feed(application, tg.update(tg.message("hello all", chat_id=tg.GROUP_ID)))
    await feed(application, tg.update(tg.message(None, chat_id=tg.GROUP_ID,
                                                  sticker=_sticker())))
    assert rasa.messages() == []
    assert telegram_api.named("sendMessage") == []


async def test_group_mention_gets_per_user_conversation(application, telegram_api, rasa):
    await feed(application, tg.update(tg.mention_message("where is my order")))
    await feed(application, tg.update(tg.mention_message("hi", user_id=tg.OTHER_USER_ID)))
    first, second = rasa.messages()
    assert (first["sender"], first["message"]) == (f"telegram:{tg.USER_ID}", "where is my order")
    assert second["sender"] == f"telegram:{tg.OTHER_USER_ID}"
    assert first["metadata"]["chat_id"] == tg.GROUP_ID
    assert all("reply_parameters" in call.fields for call in telegram_api.named("sendMessage"))


async def test_group_reply_to_bot_is_addressed(application, telegram_api, rasa):
    bot_message = tg.message("Anything else?", chat_id=tg.GROUP_ID)
    bot_message["from"] = {"id": 777000111, "is_bot": True, "first_name": "OrderBot"}
    await feed(application, tg.update(tg.message("yes", chat_id=tg.GROUP_ID,
                                                 reply_to_message=bot_message)))
    assert rasa.messages()[0]["message"] == "yes"


async def test_rasa_down_gets_polite_message(application, telegram_api, rasa):
    rasa.failing = True
    await feed(application, tg.update(tg.message("hello")))
    assert telegram_api.sent_texts() == [BOT_UNAVAILABLE_TEXT]


async def test_non_text_gets_polite_answer(application, telegram_api, rasa):
    await feed(application, tg.update(tg.message(None, sticker=_sticker())))
    assert telegram_api.sent_texts() == [NON_TEXT_INPUT_TEXT]
    assert rasa.messages() == []


async def test_blank_text_gets_polite_answer(application, telegram_api, rasa):
    await feed(application, tg.update(tg.message("\u200b \n")))
    assert telegram_api.sent_texts() == [EMPTY_INPUT_TEXT]


async def test_commands_ask_the_bot(application, telegram_api, rasa):
    for command in ("/start", "/help", "/orders"):
        await feed(application, tg.update(tg.message(command)))
    assert [m["message"] for m in rasa.messages()] == ["/greet", "/help", "show my orders"]


async def test_unknown_command_gets_hint_not_rasa(application, telegram_api, rasa):
    await feed(application, tg.update(tg.message("/frobnicate")))
    await feed(application, tg.update(tg.message("/start@some_other_bot", chat_id=tg.GROUP_ID)))
    assert telegram_api.sent_texts() == [UNKNOWN_COMMAND_TEXT]
    assert rasa.messages() == []


async def test_image_reply_sends_photo(application, telegram_api, rasa):
    rasa.replies["pic"] = [{"image": "https://shop.example/mug.png"}, {"custom": {"text": "Nice?"}}]
    await feed(application, tg.update(tg.message("pic")))
    (photo,) = telegram_api.named("sendPhoto")
    assert photo.fields["photo"] == "https://shop.example/mug.png"
    assert telegram_api.sent_texts() == ["Nice?"]


async def test_handler_error_is_logged_and_answered(application, telegram_api, rasa, caplog):
    rasa.replies["boom"] = ["not a reply object"]
    await feed(application, tg.update(tg.message("boom")))
    assert telegram_api.sent_texts() == [ERROR_TEXT]
    assert "error while handling Telegram update" in caplog.text


async def test_token_never_logged(settings, telegram_api, rasa, caplog):
    caplog.set_level(logging.DEBUG)
    application = build_application(settings, webhook=True)
    await application.initialize()
    await feed(application, tg.update(tg.message("hello")))
    await application.shutdown()
    await application.bot_data["rasa"].aclose()
    assert "getMe" in caplog.text and "sendMessage" in caplog.text
    assert telegram_api.token not in caplog.text


def _sticker() -> dict:
    return {"file_id": "s1", "file_unique_id": "s1", "type": "regular", "width": 1, "height": 1,
            "is_animated": False, "is_video": False}
