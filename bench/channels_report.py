"""The channel benchmark's table: printed, and written as the "Channels" section of
docs/benchmarks.md (between its own markers, so the other sections stay as they are)."""
from __future__ import annotations

import time
from pathlib import Path

from bench import docs

REPO_ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- channels:start -->", "<!-- channels:end -->"
WHAT = {
    "telegram-webhook": "Telegram update POSTed to the gateway's webhook → reply at the fake Bot API",
    "telegram-polling": "update queued at the fake Bot API, fetched by `connectors.telegram` (getUpdates) → reply",
    "slack-http": "signed Events API request to the gateway → chat.postMessage at the fake Web API",
    "slack-socket": "event over the fake Socket Mode WebSocket to `connectors.slack` → chat.postMessage",
    "web-chat": "headless widget POSTs /webchat/messages → the bot's replies in the response",
    "web-push": "POST /internal/push → the message on the widget's SSE stream (no bot turn, so the answer time does not apply)",
}


def machine() -> str:
    return docs.machine()


def table(results: dict) -> str:
    rows = [f"| {path} | {run['rasa_delay_ms']:.0f} | {r['messages_per_second']} | {r['p50_ms']} | "
            f"{r['p95_ms']} | {r['max_ms']} | {r['messages']} | {r['timeouts']} |"
            for run in results["runs"] for path, r in run["paths"].items()]
    header = ("| path | bot answer ms | messages/s | p50 ms | p95 ms | max ms | messages | timeouts |\n"
              + "|---" * 8 + "|")
    return "\n".join([header, *rows])


def paths_explained(results: dict) -> str:
    paths = dict.fromkeys(path for run in results["runs"] for path in run["paths"])
    return "\n".join(f"- `{path}`: {WHAT[path]}" for path in paths)


def markdown(results: dict) -> str:
    before, after = results["load_average"]["before"][0], results["load_average"]["after"][0]
    delays = " ".join(f"--rasa-delay-ms {run['rasa_delay_ms']:.0f}" for run in results["runs"])
    return f"""{START}
## Channels

`var/env/app/bin/python bench/bench_channels.py --users {results['users']} --seconds {results['seconds']:.0f} {delays} --write-docs`

{results['users']} concurrent users per path, {results['seconds']:.0f} s each; every user sends its
next message when the reply to the last one arrived. Each path is the channel's real code in its
real process (the uvicorn gateway, or the Telegram polling / Slack Socket Mode process) against
our fake Telegram Bot API (`tests/fakes/telegram_api.py`) and Slack Web API
(`tests/fakes/slack_api.py`) on 127.0.0.1; the web paths use a headless widget
(`bench/widget_client.py`: session, open SSE stream, messages with client ids, like `widget.js`).
Rasa is the echo stand-in (`tests/fakes/rasa_webhook.py`) answering at once ("bot answer 0 ms":
the channels' own cost) or after a fixed time (a real bot's turn: then {results['users']} users can
reach at most {results['users']} × 1000 / (answer ms) messages/s, and the rows show whether a
channel keeps the users' messages concurrent).

{paths_explained(results)}

Machine: {machine()}; load generator, fakes and connectors on the same machine.
Load: 1-min load average {before:.1f} before and {after:.1f} after the run (a 2-core machine
shared with other work: figures swing between runs).
Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.

{table(results)}
{END}"""


def write_docs(section: str) -> Path:
    return docs.write_section(section, START, END)
