"""Starts the whole stack under honcho: validates the configuration first, then picks the processes.

Telegram and Slack run only when their tokens are configured.
"""
from __future__ import annotations

import os
import sys

from pydantic import ValidationError

from scripts.stack_config import REPO_ROOT, describe_errors, get_stack_settings

CORE_PROCESSES = ["backend", "actions", "rasa", "gateway", "notifier", "ready"]


def procfile_names() -> set[str]:
    names = set()
    for line in (REPO_ROOT / "Procfile").read_text().splitlines():
        if line and not line.startswith("#") and ":" in line:
            names.add(line.split(":", 1)[0].strip())
    return names


def main() -> int:
    try:
        settings = get_stack_settings()
    except ValidationError as error:
        print(describe_errors(error), file=sys.stderr)
        return 2
    processes = CORE_PROCESSES + settings.channel_processes()
    honcho = REPO_ROOT / "var/env/app/bin/honcho"
    env_file = [".env"] if (REPO_ROOT / ".env").is_file() else []
    args = [str(honcho), "start", "--no-colour", "-f", "Procfile"]
    if env_file:
        args += ["-e", ".env"]
    os.chdir(REPO_ROOT)
    os.execv(args[0], args + processes)


if __name__ == "__main__":
    sys.exit(main())
