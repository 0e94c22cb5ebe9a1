"""Action tests: real rasa-sdk actions against a real backend on a temporary SQLite database."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.settings import get_settings
from tests.services import prepare_database, start_backend

TRACKERS = Path(__file__).parent / "trackers"


@pytest.fixture(scope="session")
def backend(tmp_path_factory):
    database_url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('backend') / 'orderbot.db'}"
    prepare_database(database_url)
    service = start_backend(database_url)
    try:
        service.wait_healthy(60)
        os.environ["BACKEND_URL"] = service.url
        get_settings.cache_clear()
        yield service
    finally:
        service.stop()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def load_tracker(state: str, text: str = None, entities: list = None) -> Tracker:
    """A fresh tracker from tests/actions/trackers/<state>.json, with the latest message replaced."""
    data = json.loads((TRACKERS / f"{state}.json").read_text())
    if text is not None:
        data["latest_message"]["text"] = text
    if entities is not None:
        data["latest_message"]["entities"] = entities
    return Tracker.from_dict(data)
