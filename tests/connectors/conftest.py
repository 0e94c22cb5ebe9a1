"""Fixtures every channel's tests share: a stand-in for Rasa's REST webhook on its own thread."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.rasa_webhook import FakeRasa


@pytest.fixture(scope="session")
def rasa() -> Iterator[FakeRasa]:
    server = FakeRasa().start()
    yield server
    server.stop()
