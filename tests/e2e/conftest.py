"""The whole stack, live: backend on a fresh SQLite file, action server, Rasa and the gateway."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services import (Service, prepare_database, start_action_server, start_backend,
                            start_gateway, start_rasa)


@dataclass
class Stack:
    backend: Service
    actions: Service
    rasa: Service
    gateway: Service


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory):
    state = tmp_path_factory.mktemp("stack")
    database_url = f"sqlite+aiosqlite:///{state / 'orderbot.db'}"
    prepare_database(database_url)
    started: list[Service] = []
    try:
        backend = start_backend(database_url)
        started.append(backend)
        actions = start_action_server(backend.url)
        started.append(actions)
        rasa = start_rasa(actions.url, Path(state) / "tracker.db", backend.url)
        started.append(rasa)
        gateway = start_gateway(rasa.url)
        started.append(gateway)
        for service, timeout in ((backend, 60), (actions, 90), (rasa, 240), (gateway, 60)):
            service.wait_healthy(timeout)
        yield Stack(backend, actions, rasa, gateway)
    finally:
        for service in reversed(started):
            service.stop()
