"""python -m backend.notifications: runs the notification dispatcher until SIGTERM or Ctrl-C."""
from __future__ import annotations

import asyncio
import logging
import signal

from backend.core.config import get_settings
from backend.core.db import create_engine, create_sessionmaker
from backend.notifications.dispatcher import run
from backend.notifications.gateway_client import GatewayClient

logger = logging.getLogger("backend.notifications")


async def main() -> None:
    settings = get_settings()
    engine = create_engine(settings)
    gateway = GatewayClient(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)  # finish the batch in hand, then leave
    logger.info("notification dispatcher started; gateway %s", settings.GATEWAY_URL)
    try:
        await run(create_sessionmaker(engine), settings, gateway, stop)
    finally:
        await gateway.aclose()
        await engine.dispose()
    logger.info("notification dispatcher stopped")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    asyncio.run(main())
