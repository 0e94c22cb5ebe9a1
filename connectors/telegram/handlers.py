"""Telegram handlers: commands, text, button presses and errors. Each asks the bot through the
shared RasaClient and renders its replies; the sender id is `telegram:<user id>` in every chat."""
from __future__ import annotations

import logging
import re

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from connectors.common import (BOT_UNAVAILABLE_TEXT, ERROR_TEXT, NON_TEXT_INPUT_TEXT,
                               RecentIds, check_input)
from connectors.handoff.relay import relay_in
from connectors.rasa_client import BotUnavailable, RasaClient
from connectors.telegram.rendering import send_replies

logger = logging.getLogger(__name__)

EXPIRED_BUTTON_TEXT = "This button has expired. Please type your answer instead."
NOT_YOUR_BUTTON_TEXT = "These buttons belong to someone else's conversation."
UNKNOWN_COMMAND_TEXT = "I know /start, /help and /orders, or just write to me."


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _ask(update, context, "/greet")


async def help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:  # noqa: A001
    await _ask(update, context, "/help")


async def orders(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _ask(update, context, "show my orders")


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if _is_private(message) or f"@{context.bot.username}".lower() in (message.text or "").lower():
        await message.reply_text(UNKNOWN_COMMAND_TEXT)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if not is_addressed(message, context):
        return
    text = strip_mention(message.text or "", context.bot.username)
    polite = check_input(text, context.bot_data["settings"].max_message_chars)
    if polite:
        await message.reply_text(polite)
        return
    await _ask(update, context, text)


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice notes, files: anything without text."""
    message = update.effective_message
    if is_addressed(message, context):
        await message.reply_text(NON_TEXT_INPUT_TEXT)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    payload = context.bot_data["payloads"].payload(query.data)
    owner = _button_owner(query.message)
    if owner is not None and owner != query.from_user.id:
        await query.answer(NOT_YOUR_BUTTON_TEXT, show_alert=True)
        return
    await query.answer(None if payload is not None else EXPIRED_BUTTON_TEXT)
    if payload is not None and query.message is not None:
        await _ask(update, context, payload)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("error while handling Telegram update %s", update_id, exc_info=context.error)
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is None:
        return
    try:
        await context.bot.send_message(chat.id, ERROR_TEXT)
    except Exception:  # noqa: BLE001 - the error is logged above; Telegram may be the problem
        logger.warning("could not tell chat %s about the error", chat.id)


async def drop_duplicates(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs first (group -1): an update id seen before stops all further handling."""
    seen: RecentIds = context.bot_data["seen_updates"]
    if seen.seen(update.update_id):
        logger.info("dropping duplicate Telegram update %s", update.update_id)
        raise ApplicationHandlerStop


def is_addressed(message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """In private chats always; in groups only when the bot is mentioned or replied to."""
    if _is_private(message):
        return True
    reply = message.reply_to_message
    if reply and reply.from_user and reply.from_user.id == context.bot.id:
        return True
    mention = f"@{context.bot.username}".lower()
    kinds = [MessageEntity.MENTION]
    mentions = {**message.parse_entities(kinds), **message.parse_caption_entities(kinds)}
    return any(text.lower() == mention for text in mentions.values())


def strip_mention(text: str, username: str | None) -> str:
    if not username:
        return text.strip()
    return re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE).strip()


def _is_private(message: Message) -> bool:
    return message.chat.type == ChatType.PRIVATE


def _button_owner(message: object) -> int | None:
    """In groups our keyboards quote the user's message; that user owns the buttons."""
    if not isinstance(message, Message) or _is_private(message):
        return None
    original = message.reply_to_message
    return original.from_user.id if original and original.from_user else None


async def _ask(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    sender_id = f"telegram:{user.id}"
    metadata = {"channel": "telegram", "chat_id": chat.id, "chat_type": chat.type}
    handoff = relay_in(context.bot_data, context.bot_data["settings"])
    async with context.bot_data["locks"](sender_id):
        text = await handoff.route(sender_id, text, f"telegram:update:{update.update_id}")
        if text is None:
            return  # staff have this conversation (or it just ended, nothing asked): the bot stays silent
        try:
            rasa: RasaClient = context.bot_data["rasa"]
            replies = await handoff.intercept(sender_id, await rasa.send(sender_id, text, metadata))
        except BotUnavailable:
            logger.error("bot unreachable; told Telegram chat %s to retry", chat.id)
            replies = [{"text": BOT_UNAVAILABLE_TEXT}]
        await send_replies(context.bot, chat.id, replies, context.bot_data["payloads"],
                           _reply_target(update))


def _reply_target(update: Update) -> int | None:
    """In groups, answers quote the user's message, so everyone sees whom they are for."""
    message = update.effective_message
    if message is None or _is_private(message):
        return None
    if update.callback_query:  # the keyboard message itself quotes the user's message
        return getattr(message.reply_to_message, "message_id", None)
    return message.message_id

