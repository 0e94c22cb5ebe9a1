"""Command line: `python -m backend.manage migrate|seed|setup|expire|reconcile|daily-summary`."""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys

from backend.core.config import Settings, get_settings
from backend.core.db import create_engine, create_sessionmaker
from backend.migrations.runner import upgrade_head

logger = logging.getLogger("backend.manage")


async def _with_sessionmaker(settings: Settings, work):
    engine = create_engine(settings)
    try:
        return await work(create_sessionmaker(engine))
    finally:
        await engine.dispose()


def migrate(settings: Settings) -> None:
    upgrade_head(settings)


def seed(settings: Settings) -> dict:
    from backend.seed.loader import seed_demo_data
    return asyncio.run(_with_sessionmaker(settings, lambda sm: seed_demo_data(sm, settings)))


def expire(settings: Settings) -> int:
    from backend.orders.expiry import expire_pending_orders
    count = asyncio.run(_with_sessionmaker(settings, expire_pending_orders))
    logger.info("expired %d pending orders", count)
    return count


def reconcile_report(settings: Settings) -> dict:
    from backend.inventory.reconcile import reconcile

    async def work(sessionmaker):
        async with sessionmaker() as session:
            return await reconcile(session)
    report = asyncio.run(_with_sessionmaker(settings, work))
    logger.info("reconciliation: %s", json.dumps(report))
    return report


def daily_summary(settings: Settings) -> str:
    """Yesterday's (UTC) summary text, as the daily staff notification says it."""
    from datetime import timedelta

    from backend.core.base import utcnow
    from backend.reports.daily_summary import daily_summary_text

    async def work(sessionmaker):
        async with sessionmaker() as session:
            day = utcnow().date() - timedelta(days=1)
            return await daily_summary_text(session, day, settings.CURRENCY)
    return asyncio.run(_with_sessionmaker(settings, work))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend.manage")
    parser.add_argument("command", choices=["migrate", "seed", "setup", "expire", "reconcile",
                                                "daily-summary"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = get_settings()
    except Exception as exc:  # a bad .env value: say which setting, no traceback
        logger.error("invalid settings: %s", exc)
        return 2
    if args.command in ("migrate", "setup"):
        migrate(settings)
    if args.command in ("seed", "setup"):
        seed(settings)
    if args.command == "expire":
        expire(settings)
    if args.command == "daily-summary":
        sys.stdout.write(daily_summary(settings) + "\n")
    if args.command == "reconcile":
        return 0 if reconcile_report(settings)["ok"] else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
