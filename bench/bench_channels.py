"""Channel benchmark: messages per second and reply latency (p50/p95) with N concurrent users,
through each channel's real path against our fake Telegram/Slack servers, a headless widget
client and the Rasa stand-in (echo; --rasa-delay-ms makes it slower, repeat it for several runs):

    var/env/app/bin/python bench/bench_channels.py [--users 16] [--seconds 10] [--rasa-delay-ms 0
        --rasa-delay-ms 200] [--write-docs]

Paths: telegram-webhook, slack-http, web-chat and web-push go through a real uvicorn gateway;
telegram-polling and slack-socket run `python -m connectors.telegram` / `python -m
connectors.slack`. Latency runs from sending a user's message to the reply reaching that user
(the fake receiving sendMessage / chat.postMessage for the user's chat; for web-chat the POST's
response; for web-push, a proactive message posted to /internal/push arriving on the widget's
event stream). Each user sends its next message when the reply arrived. Results go to stdout as
JSON and a table, and with --write-docs into docs/benchmarks.md ("Channels").
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
from tests.fakes import slack_requests as sr  # noqa: E402
from tests.fakes import telegram_updates as tg  # noqa: E402
from tests.fakes.rasa_webhook import FakeRasa  # noqa: E402
from tests.fakes.slack_api import FakeSlackAPI  # noqa: E402
from tests.fakes.slack_socket import FakeSocketMode  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramAPI  # noqa: E402

from bench.channels_report import markdown, table, write_docs  # noqa: E402
from bench.widget_client import HeadlessWidget  # noqa: E402

PYTHON = str(REPO_ROOT / "var/env/app/bin/python")
SECRET = "bench-secret"
PUSH_TOKEN = "bench-push-token"
PATHS = ["telegram-webhook", "telegram-polling", "slack-http", "slack-socket", "web-chat", "web-push"]


class Replies:
    """Reply arrival times per chat key, filled from the fakes' server threads."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self._loop = loop
        self.queues: dict[str, asyncio.Queue] = defaultdict(asyncio.Queue)

    def arrived(self, key: str) -> None:
        at = time.monotonic()
        self._loop.call_soon_threadsafe(lambda: self.queues[key].put_nowait(at))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def connector_env(telegram: FakeTelegramAPI, slack: FakeSlackAPI, rasa: FakeRasa,
                  **extra: str) -> dict:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TELEGRAM_", "SLACK_"))}
    env.update(RASA_URL=rasa.url, TELEGRAM_BOT_TOKEN=telegram.token,
               TELEGRAM_API_BASE_URL=telegram.base_url, SLACK_BOT_TOKEN="xoxb-bench",
               SLACK_API_BASE_URL=slack.base_url, **extra)
    return env


async def start_process(args: list[str], env: dict, ready) -> subprocess.Popen:
    """Starts a connector process and waits until `await ready()` is true."""
    process = subprocess.Popen(args, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    for _ in range(300):
        if await ready():
            return process
        await asyncio.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"{args} did not become ready")


def gateway_command(port: int) -> list[str]:
    return [PYTHON, "-m", "uvicorn", "connectors.gateway:app", "--port", str(port),
            "--no-access-log", "--log-level", "warning"]


def health(port: int):
    async def ready() -> bool:
        try:
            async with httpx.AsyncClient() as http:
                return (await http.get(f"http://127.0.0.1:{port}/health")).status_code == 200
        except httpx.HTTPError:
            return False

    return ready


async def drive(users: int, seconds: float, send, replies: Replies, key) -> dict:
    latencies: list[float] = []
    timeouts = 0
    deadline = time.monotonic() + seconds

    async def user(index: int) -> None:
        nonlocal timeouts
        count = 0
        while time.monotonic() < deadline:
            started = time.monotonic()
            await send(index, count)
            try:
                arrived = await asyncio.wait_for(replies.queues[key(index)].get(), timeout=10)
            except asyncio.TimeoutError:
                timeouts += 1
                continue
            latencies.append(arrived - started)
            count += 1

    began = time.monotonic()
    await asyncio.gather(*(user(index) for index in range(users)))
    return summary(latencies, timeouts, time.monotonic() - began)


def summary(latencies: list[float], timeouts: int, elapsed: float) -> dict:
    ordered = sorted(latencies) or [float("nan")]
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {"messages": len(latencies), "timeouts": timeouts,
            "messages_per_second": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1)}


async def telegram_webhook(args, fakes, replies) -> dict:
    telegram, slack, rasa = fakes
    port = free_port()
    env = connector_env(telegram, slack, rasa, TELEGRAM_WEBHOOK_URL="https://bench.invalid/tg",
                        TELEGRAM_WEBHOOK_SECRET=SECRET, GATEWAY_PORT=str(port))
    process = await start_process(gateway_command(port), env, health(port))
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            async def send(index: int, count: int) -> None:
                body = tg.update(tg.message(f"hi {count}", user_id=10_000 + index))
                response = await http.post("/telegram/webhook", json=body, headers=headers)
                response.raise_for_status()

            return await drive(args.users, args.seconds, send, replies, lambda i: str(10_000 + i))
    finally:
        process.terminate()
        process.wait(10)


async def telegram_polling(args, fakes, replies) -> dict:
    telegram, slack, rasa = fakes
    telegram.reset()

    async def polling() -> bool:
        return bool(telegram.named("getUpdates"))

    process = await start_process([PYTHON, "-m", "connectors.telegram"],
                                  connector_env(telegram, slack, rasa), polling)
    try:
        async def send(index: int, count: int) -> None:
            telegram.queue_update(tg.update(tg.message(f"hi {count}", user_id=20_000 + index)))

        return await drive(args.users, args.seconds, send, replies, lambda i: str(20_000 + i))
    finally:
        process.terminate()
        process.wait(10)


async def slack_http(args, fakes, replies) -> dict:
    telegram, slack, rasa = fakes
    port = free_port()
    env = connector_env(telegram, slack, rasa, SLACK_SIGNING_SECRET=SECRET, GATEWAY_PORT=str(port))
    process = await start_process(gateway_command(port), env, health(port))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            async def send(index: int, count: int) -> None:
                event = {**sr.dm_event(f"hi {count}", user=f"U{index:05d}"),
                         "channel": f"D{index:05d}"}
                body = sr.event_body(event)
                response = await http.post("/slack/events", content=body,
                                           headers=sr.signed_headers(SECRET, body))
                response.raise_for_status()

            return await drive(args.users, args.seconds, send, replies, lambda i: f"D{i:05d}")
    finally:
        process.terminate()
        process.wait(10)


async def slack_socket(args, fakes, replies) -> dict:
    telegram, slack, rasa = fakes
    socket_server = await FakeSocketMode().start()
    slack.socket_url = socket_server.url
    env = connector_env(telegram, slack, rasa, SLACK_APP_TOKEN="xapp-bench")

    async def connected() -> bool:
        return socket_server.connected

    process = await start_process([PYTHON, "-m", "connectors.slack"], env, connected)
    try:
        async def send(index: int, count: int) -> None:
            event = {**sr.dm_event(f"hi {count}", user=f"V{index:05d}"),
                     "channel": f"E{index:05d}"}
            await socket_server.send_event(sr.event_body(event))

        return await drive(args.users, args.seconds, send, replies, lambda i: f"E{i:05d}")
    finally:
        process.terminate()
        process.wait(10)
        await socket_server.stop()


async def web(args, fakes, replies, push: bool) -> dict:
    """Each user is a headless widget with its live stream open, like a shop page with the chat."""
    telegram, slack, rasa = fakes
    port = free_port()
    env = connector_env(telegram, slack, rasa, GATEWAY_PORT=str(port), GATEWAY_PUSH_TOKEN=PUSH_TOKEN)
    process = await start_process(gateway_command(port), env, health(port))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            widgets = [await HeadlessWidget(http, lambda m, i=i: replies.arrived(f"push:{i}")).open()
                       for i in range(args.users)]

            async def chat(index: int, count: int) -> None:
                got = await widgets[index].send(f"hi {count}")
                if [reply.get("text") for reply in got] == [f"echo: hi {count}"]:
                    replies.arrived(f"web:{index}")

            async def notify(index: int, count: int) -> None:
                body = {"sender_id": f"web:{widgets[index].session_id}",
                        "messages": [{"text": f"note {count}"}]}
                response = await http.post("/internal/push", json=body,
                                           headers={"Authorization": f"Bearer {PUSH_TOKEN}"})
                response.raise_for_status()

            try:
                if push:
                    return await drive(args.users, args.seconds, notify, replies, lambda i: f"push:{i}")
                return await drive(args.users, args.seconds, chat, replies, lambda i: f"web:{i}")
            finally:
                await asyncio.gather(*(widget.close() for widget in widgets))
    finally:
        process.terminate()
        process.wait(10)


async def web_chat(args, fakes, replies) -> dict:
    return await web(args, fakes, replies, push=False)


async def web_push(args, fakes, replies) -> dict:
    return await web(args, fakes, replies, push=True)


RUNNERS = {"telegram-webhook": telegram_webhook, "telegram-polling": telegram_polling,
           "slack-http": slack_http, "slack-socket": slack_socket,
           "web-chat": web_chat, "web-push": web_push}


async def main_async(args) -> dict:
    replies = Replies(asyncio.get_running_loop())
    telegram, slack, rasa = FakeTelegramAPI().start(), FakeSlackAPI().start(), FakeRasa().start()
    telegram.on_call = lambda call: call.name == "sendMessage" and replies.arrived(
        str(call.fields["chat_id"]))
    slack.on_call = lambda call: call.name == "chat.postMessage" and replies.arrived(
        call.fields["channel"])
    results = {"users": args.users, "seconds": args.seconds, "runs": []}
    try:
        for delay_ms in args.rasa_delay_ms or [0.0]:
            rasa.delay = delay_ms / 1000
            run = {"rasa_delay_ms": delay_ms, "paths": {}}
            for path in args.path or PATHS:
                replies.queues.clear()  # a late reply from an earlier run must not count here
                run["paths"][path] = await RUNNERS[path](args, (telegram, slack, rasa), replies)
            results["runs"].append(run)
    finally:
        for server in (telegram, slack, rasa):
            server.stop()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rasa-delay-ms", type=float, action="append",
                        help="the stand-in bot's answer time; repeat for several runs (default 0)")
    parser.add_argument("--path", action="append", choices=PATHS)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()
    results = asyncio.run(main_async(args))
    results["load_average"] = {"before": load_before, "after": os.getloadavg()}
    print(json.dumps(results, indent=2))
    print(table(results))
    if args.write_docs:
        print(f"wrote {write_docs(markdown(results))}")
    return 0 if all(r["timeouts"] == 0 for run in results["runs"] for r in run["paths"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
