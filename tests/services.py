"""Starts our own services (backend, action server, Rasa, gateway) as real subprocesses on free ports.

Used by the live test suites in both Python environments, so it stays Python 3.10 compatible and
imports neither the backend nor Rasa.
"""
from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

REPO_ROOT = Path(__file__).resolve().parent.parent
APP_PYTHON = REPO_ROOT / "var/env/app/bin/python"
RASA_PYTHON = REPO_ROOT / "var/env/rasa/bin/python"
LOG_DIR = REPO_ROOT / "var/test-artifacts/logs"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def newest_model() -> Path:
    models = sorted((REPO_ROOT / "var/models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise RuntimeError("no trained Rasa model in var/models: run 'make train' first")
    return models[-1]


class Service:
    """One subprocess, its log file, and the URL that says it is healthy."""

    def __init__(self, name: str, command: List[str], env: Dict[str, str], url: str, health_path: str):
        self.name = name
        self.env = env
        self.url = url
        self.health_url = url + health_path
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / f"{name}-{os.getpid()}.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            command, cwd=REPO_ROOT, env={**os.environ, **env}, stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; log:\n{self.tail()}")
            if _answers_ok(self.health_url):
                return
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} not healthy after {timeout:.0f} s; log:\n{self.tail()}")

    def tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def _answers_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


def prepare_database(database_url: str) -> None:
    """Migrates a fresh backend database and loads the demo data into it."""
    result = subprocess.run(
        [str(APP_PYTHON), "-m", "backend.manage", "setup"], cwd=REPO_ROOT,
        env={**os.environ, "DATABASE_URL": database_url}, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"backend setup failed ({result.returncode}):\n{result.stderr[-3000:]}")


def start_backend(database_url: str, extra_env: Optional[Dict[str, str]] = None) -> Service:
    port = free_port()
    service = Service(
        "backend",
        [str(APP_PYTHON), "-m", "uvicorn", "backend.main:app", "--host", "127.0.0.1", "--port", str(port)],
        {"DATABASE_URL": database_url, **(extra_env or {})},
        f"http://127.0.0.1:{port}", "/health",
    )
    return service


def start_action_server(backend_url: str) -> Service:
    port = free_port()
    service = Service(
        "actions", [str(REPO_ROOT / "bot/serve_actions.sh")],
        {"ACTIONS_PORT": str(port), "BACKEND_URL": backend_url},
        f"http://127.0.0.1:{port}", "/health",
    )
    return service


def start_rasa(action_server_url: str, tracker_db: Path, backend_url: Optional[str] = None) -> Service:
    """Rasa on a free port; `backend_url` is where the catalogue matcher reads the live catalogue."""
    port = free_port()
    env = {"RASA_PORT": str(port), "ACTION_ENDPOINT_URL": f"{action_server_url}/webhook",
           "RASA_TRACKER_DB": str(tracker_db), "RASA_MODEL": str(newest_model())}
    if backend_url:
        env["BACKEND_URL"] = backend_url
    service = Service(
        "rasa", [str(REPO_ROOT / "bot/serve.sh")],
        env,
        f"http://127.0.0.1:{port}", "/status",
    )
    return service


def start_gateway(rasa_url: str) -> Service:
    port = free_port()
    service = Service(
        "gateway",
        [str(APP_PYTHON), "-m", "uvicorn", "connectors.gateway:app", "--host", "127.0.0.1", "--port", str(port)],
        {"RASA_URL": rasa_url},
        f"http://127.0.0.1:{port}", "/health",
    )
    return service
