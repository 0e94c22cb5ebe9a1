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
