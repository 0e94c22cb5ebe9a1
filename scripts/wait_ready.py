"""Waits until every service of the stack answers its health check, then prints where to go.

Runs as the `ready` process under honcho: it stays alive afterwards (honcho stops the whole stack
when any process exits), and exits non-zero if a service is not healthy in time, which stops the
stack with the reason in the log.
"""
from __future__ import annotations

import logging
import signal
import sys
import time

import httpx

from scripts.stack_config import get_stack_settings

logger = logging.getLogger("ready")


def wait_until_healthy(checks: dict[str, str], timeout: float) -> list[str]:
    """Polls each URL until it answers 200; returns the names still unhealthy at the deadline."""
    pending = dict(checks)
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0) as client:
        while pending and time.monotonic() < deadline:
            for name, url in list(pending.items()):
                try:
                    if client.get(url).status_code == 200:
                        logger.info("%s is healthy", name)
                        del pending[name]
                except httpx.HTTPError:
                    pass
            if pending:
                time.sleep(1.0)
    return sorted(pending)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = get_stack_settings()
    unhealthy = wait_until_healthy(settings.health_checks(), settings.startup_timeout_seconds)
    if unhealthy:
        logger.error("not healthy after %.0f s: %s; see its log lines above", settings.startup_timeout_seconds,
                     ", ".join(unhealthy))
        return 1
    host = settings.public_host
    logger.info(
        "\norderbot is up:\n"
        "  shop page with chat widget  http://%s:%d/\n"
        "  backend API docs            http://127.0.0.1:%d/docs\n"
        "  staff dashboard             http://127.0.0.1:%d/staff/dashboard (staff API token)\n"
        "  Rasa REST webhook           http://127.0.0.1:%d/webhooks/rest/webhook\n"
        "Press Ctrl-C to stop everything.",
        host, settings.gateway_port, settings.backend_port, settings.backend_port,
        settings.rasa_port,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        signal.pause()


if __name__ == "__main__":
    sys.exit(main())
