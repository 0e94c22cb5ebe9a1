"""Per-turn latency through Rasa's REST webhook on the live stack (backend on SQLite, action
server, Rasa with the newest trained model): a plain turn (a greeting, answered by a rule) against
a backend turn (a product question: a custom action asks the backend for live stock), one user at
a time and 16 users at once.

    var/env/app/bin/python bench/bench_turns.py [--turns 60] [--users 16] [--write-docs]

The target is a ratio measured in one run: a backend turn's p95 within 1.5x a plain turn's.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
from bench import docs  # noqa: E402
from tests.services import (prepare_database, start_action_server, start_backend,  # noqa: E402
                            start_rasa)

logger = logging.getLogger("bench.turns")
START, END = "<!-- bot:turns:start -->", "<!-- bot:turns:end -->"
# Each kind cycles through a few wordings so no single cached answer is measured.
TURNS = {
    "plain": ["hi", "hello there", "good morning"],
    "backend": ["do you have mugs?", "how much is the glass teapot", "is the green mug in stock"],
}
TARGET_RATIO = 1.5
CONVERSATION_TURNS = 8  # a long shop chat; each conversation starts afresh after it


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def one_user(client: httpx.AsyncClient, url: str, kind: str, turns: int) -> list[float]:
    """One user sending `turns` messages of one kind, one after the other, starting a new
    conversation every CONVERSATION_TURNS (Rasa sends the whole conversation to the action
    server on every custom action, so an endless one would measure its length, not the turn)."""
    latencies = []
    for i in range(turns):
        if i % CONVERSATION_TURNS == 0:
            sender = f"web:bench-{uuid.uuid4().hex}"
        text = TURNS[kind][i % len(TURNS[kind])]
        started = time.perf_counter()
        response = await client.post(f"{url}/webhooks/rest/webhook",
                                     json={"sender": sender, "message": text})
        response.raise_for_status()
        if not response.json():
            raise RuntimeError(f"no answer to {text!r}")
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def measure(url: str, kind: str, users: int, turns: int) -> dict:
    async with httpx.AsyncClient(timeout=60) as client:
        await one_user(client, url, kind, 2)  # warm up this path
        started = time.perf_counter()
        per_user = await asyncio.gather(*(one_user(client, url, kind, turns // users or 1)
                                          for _ in range(users)))
        elapsed = time.perf_counter() - started
    latencies = [ms for user in per_user for ms in user]
    return {"kind": kind, "users": users, "turns": len(latencies),
            "turns_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1)}


def run(turns: int, users: int) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-turns-") as tmp:
        database_url = f"sqlite+aiosqlite:///{Path(tmp) / 'orderbot.db'}"
        prepare_database(database_url)
        services = []
        try:
            services.append(backend := start_backend(database_url))
            services.append(actions := start_action_server(backend.url))
            services.append(rasa := start_rasa(actions.url, Path(tmp) / "tracker.db", backend.url))
            for service, timeout in ((backend, 60), (actions, 90), (rasa, 240)):
                service.wait_healthy(timeout)
            results = []
            for concurrency in (1, users):
                for kind in ("plain", "backend"):  # alternated, so a busy spell hits both
                    results.append(asyncio.run(measure(rasa.url, kind, concurrency,
                                                       turns if concurrency == 1 else turns * 4)))
                    logger.info("%s", json.dumps(results[-1]))
            return results
        finally:
            for service in reversed(services):
                service.stop()


def ratios(results: list[dict]) -> dict[int, float]:
    by = {(r["users"], r["kind"]): r for r in results}
    return {users: round(by[(users, "backend")]["p95_ms"] / by[(users, "plain")]["p95_ms"], 2)
            for users in sorted({r["users"] for r in results})}


def markdown(results: list[dict], description: str) -> str:
    rows = "\n".join(f"| {r['users']} | {r['kind']} | {r['turns']} | {r['turns_per_s']} | "
                     f"{r['p50_ms']} | {r['p95_ms']} |" for r in results)
    ratio_text = ", ".join(f"{users} user(s): {ratio}x" for users, ratio in ratios(results).items())
    return f"""{START}
## Bot: per-turn latency (REST webhook)

`bench/bench_turns.py`: the live stack (backend on SQLite, action server, Rasa with the newest
model) answering through Rasa's REST webhook. A *plain* turn is a greeting answered by a rule;
a *backend* turn is a product question whose custom action asks the backend for live products
and stock. One user at a time, then 16 users at once; each user starts a new conversation every
{CONVERSATION_TURNS} turns.
Machine: {description}. Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.

| users | turn | turns | turns/s | p50 ms | p95 ms |
|---|---|---|---|---|---|
{rows}

Backend turn p95 / plain turn p95 (target ≤ {TARGET_RATIO}x): {ratio_text}.
{END}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=60, help="turns per kind for one user")
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    description = docs.machine()
    results = run(args.turns, args.users)
    print(json.dumps({"results": results, "p95_ratio": ratios(results)}, indent=2))
    if args.write_docs:
        logger.info("wrote %s", docs.write_section(markdown(results, description), START, END))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
