"""Programmatic Alembic: no alembic.ini needed; the settings object says which database."""
from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config

from backend.core.config import Settings

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["settings"] = settings
    return config


def upgrade_head(settings: Settings) -> None:
    """Runs in a worker thread or plain sync code: env.py starts its own event loop."""
    command.upgrade(alembic_config(settings), "head")
    logger.info("database migrated to head")
