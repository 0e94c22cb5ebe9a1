"""`make run`'s launcher refuses a wrong setting with a message that names it."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.services import REPO_ROOT


def run_launcher(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scripts.run"], cwd=REPO_ROOT, capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=60)


def test_run_bad_port_names_the_setting():
    result = run_launcher(GATEWAY_PORT="eighty")
    assert result.returncode == 2
    assert "GATEWAY_PORT" in result.stderr


def test_run_port_out_of_range_names_the_setting():
    result = run_launcher(BACKEND_PORT="70000")
    assert result.returncode == 2
    assert "BACKEND_PORT" in result.stderr
    assert "70000" in result.stderr


def test_procfile_lists_every_core_process():
    from scripts.run import CORE_PROCESSES, procfile_names

    assert set(CORE_PROCESSES) <= procfile_names()


def test_channel_processes_follow_configured_tokens():
    from scripts.stack_config import StackSettings

    assert StackSettings(_env_file=None).channel_processes() == []
    polling = StackSettings(_env_file=None, telegram_bot_token="123:abc")
    assert polling.channel_processes() == ["telegram"]
    webhook = StackSettings(_env_file=None, telegram_bot_token="123:abc", telegram_webhook_url="https://x.example/tg")
    assert webhook.channel_processes() == []
    slack = StackSettings(_env_file=None, slack_bot_token="xoxb-1", slack_app_token="xapp-1")
    assert slack.channel_processes() == ["slack"]
    assert StackSettings(_env_file=None, slack_bot_token="xoxb-1").channel_processes() == []


def test_procfile_lists_every_channel_process():
    from scripts.run import procfile_names

    assert {"telegram", "slack"} <= procfile_names()
