"""Long polling (the default, `python -m connectors.telegram`) against the fake Bot API."""
from __future__ import annotations

from connectors.telegram.app import build_application
from tests.fakes import telegram_updates as tg


async def test_polling_answers_queued_update(settings, telegram_api, rasa):
    rasa.replies["hi"] = [{"text": "Hello by polling"}]
    application = build_application(settings.model_copy(update={"telegram_webhook_url": ""}))
    await application.initialize()
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    await application.start()
    try:
        telegram_api.queue_update(tg.update(tg.message("hi")))
        await telegram_api.wait_for("sendMessage")
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        await application.bot_data["rasa"].aclose()
    assert telegram_api.sent_texts() == ["Hello by polling"]
    assert telegram_api.named("deleteWebhook")
