"""Telegram channel: python-telegram-bot handlers, long polling entry point, webhook route."""
