"""Order placement benchmark: N concurrent clients against a real uvicorn, SQLite and PostgreSQL.

    var/env/app/bin/python bench/bench_orders.py --db sqlite --db postgres --repeat 3 --write-docs

Each run uses a fresh database (temp SQLite file / fresh PostgreSQL schema), 20 well-stocked
products plus one scarce product that clients keep trying to buy, so the oversell check means
something. The server is `uvicorn backend.main:app --no-access-log` (uvloop and httptools
when installed, as in the app environment) with 1 worker on SQLite and one per CPU on
PostgreSQL unless --workers says otherwise; PostgreSQL is TEST_POSTGRES_URL (default
127.0.0.1:5432, database test). Results go to stdout as JSON and, with --write-docs, into
docs/benchmarks.md (bench/orders_report.py).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
from bench import orders_report as report  # noqa: E402
from tests.backend import servers  # noqa: E402  (shared fresh-database and uvicorn helpers)

logger = logging.getLogger("bench.orders")
STAFF = {"Authorization": f"Bearer {servers.STAFF_TOKEN}"}
SCARCE_UNITS = 200
DEFAULT_WORKERS = {"sqlite": 1, "postgres": os.cpu_count() or 1}
ADDRESS = {"name": "Bench Buyer", "line1": "1 Load Street", "city": "Dublin",
           "postal_code": "D02 X285", "country": "IE"}


async def _setup_catalogue(http: aiohttp.ClientSession, url: str) -> tuple[list[str], str]:
    skus = []
    for i in range(21):
        sku = f"BENCH-{i:02d}-{uuid.uuid4().hex[:6].upper()}"
        stock = SCARCE_UNITS if i == 20 else 1_000_000
        body = {"sku": sku, "name": f"Bench item {i}", "category": "Bench",
                "price_minor": 500 + i * 100, "initial_stock": stock}
        async with http.post(f"{url}/api/v1/staff/products", json=body, headers=STAFF) as r:
            assert r.status == 201, await r.text()
        skus.append(sku)
    return skus[:20], skus[20]


def _order(rng: random.Random, plenty: list[str], scarce: str) -> tuple[dict, bool]:
    lines = {sku: rng.randint(1, 3) for sku in rng.sample(plenty, rng.randint(1, 3))}
    wants_scarce = rng.random() < 0.15
    if wants_scarce:
        lines[scarce] = 1
    return {"lines": [{"sku": s, "quantity": q} for s, q in lines.items()],
            "shipping_address": ADDRESS, "contact_email": "bench@example.com"}, wants_scarce


async def _client(i: int, http, url, plenty, scarce, deadline, record) -> None:
    rng = random.Random(i)
    headers = {"Authorization": f"Bearer {servers.BOT_TOKEN}",
               "X-Channel-Identity": f"api:bench-{i}"}
    while time.perf_counter() < deadline:
        body, wants_scarce = _order(rng, plenty, scarce)
        started = time.perf_counter()
        async with http.post(f"{url}/api/v1/orders", json=body,
                             headers={**headers, "Idempotency-Key": uuid.uuid4().hex}) as r:
            text = await r.text()
            status = r.status
        record(time.perf_counter() - started, status, text, wants_scarce)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of the server and its worker processes: meaningful even when the
    machine is shared with other work."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in (children.read_text().split() if children.exists() else []):
        total += _cpu_seconds(int(child))
    return total


def _busy_cores_seconds() -> float:
    """CPU time used by everything on the machine so far (all cores), from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    idle = int(fields[3]) + int(fields[4])  # idle + iowait
    return (sum(int(f) for f in fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _postgres_cpu_seconds() -> float:
    """User + system CPU of every PostgreSQL process (other work on the server included)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes().startswith(b"postgres"):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            continue  # a process that ended meanwhile
    return total


def _cpu_snapshot(pid: int) -> dict[str, float]:
    return {"server": _cpu_seconds(pid), "client": time.process_time(),
            "postgres": _postgres_cpu_seconds(), "machine": _busy_cores_seconds()}


async def _load(url: str, clients: int, seconds: float, plenty, scarce, pid: int) -> dict:
    latencies, statuses, errors, sold_scarce = [], {}, [], 0

    def record(elapsed, status, text, wants_scarce):
        nonlocal sold_scarce
        statuses[status] = statuses.get(status, 0) + 1
        if status == 201:
            latencies.append(elapsed)
            sold_scarce += wants_scarce
        elif status == 409 and wants_scarce and "insufficient_stock" in text:
            latencies.append(elapsed)  # an expected refusal: the scarce item ran out
        else:
            errors.append(f"{status}: {text[:200]}")

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as http:
        deadline = time.perf_counter() + 2  # warm-up, not measured
        await asyncio.gather(*[_client(i, http, url, plenty, scarce, deadline,
                                       lambda *a: None) for i in range(clients)])
        cpu_before = _cpu_snapshot(pid)
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*[_client(i, http, url, plenty, scarce, deadline, record)
                               for i in range(clients)])
        elapsed = time.perf_counter() - started
        cpu = {k: v - cpu_before[k] for k, v in _cpu_snapshot(pid).items()}
        async with http.get(f"{url}/api/v1/staff/inventory/reconciliation", headers=STAFF) as r:
            reconciliation = await r.json()
        async with http.get(f"{url}/api/v1/staff/products/{scarce}/stock", headers=STAFF) as r:
            scarce_stock = await r.json()
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return {
        "orders_per_s": round(statuses.get(201, 0) / elapsed, 1),
        "requests_per_s": round(sum(statuses.values()) / elapsed, 1),
        "created": statuses.get(201, 0), "statuses": statuses,
        "p50_ms": round(quantiles[49] * 1000, 1), "p95_ms": round(quantiles[94] * 1000, 1),
        "p99_ms": round(quantiles[98] * 1000, 1), "errors": len(errors),
        "server_cpu_ms_per_order": round(cpu["server"] * 1000 / max(statuses.get(201, 0), 1), 2),
        "client_cpu_ms_per_order": round(cpu["client"] * 1000 / max(statuses.get(201, 0), 1), 2),
        "postgres_cpu_ms_per_order": round(
            cpu["postgres"] * 1000 / max(statuses.get(201, 0), 1), 2),
        # Cores busy during the window, and how many of them went to work other than this
        # benchmark (server, load generator, PostgreSQL): the machine is shared.
        "machine_busy_cores": round(cpu["machine"] / elapsed, 2),
        "other_work_cores": round(
            max(0.0, cpu["machine"] - cpu["server"] - cpu["client"] - cpu["postgres"]) / elapsed,
            2),
        "error_samples": errors[:5],
        "database_locked": sum("database is locked" in e for e in errors),
        "scarce_reserved": scarce_stock["reserved"],
        # The warm-up may also have sold scarce units, so compare the database with its cap.
        "oversell": max(0, scarce_stock["reserved"] - SCARCE_UNITS) + max(
            0, -scarce_stock["available"]),
        "reconciliation_ok": reconciliation["ok"], "seconds": round(elapsed, 1),
    }


def run_one(kind: str, clients: int, seconds: float, workdir: Path, workers: int) -> dict:
    env = servers.database_env(kind, workdir)
    servers.migrate(env)
    server = servers.LiveServer(env, workers=workers).start(workdir / f"bench-{kind}.log")
    try:
        async def go():
            async with aiohttp.ClientSession() as http:
                plenty, scarce = await _setup_catalogue(http, server.url)
            return await _load(server.url, clients, seconds, plenty, scarce, server.process.pid)
        result = asyncio.run(go())
    finally:
        server.stop()
        if env.get("DATABASE_SCHEMA"):
            servers.drop_pg_schema(env["DATABASE_SCHEMA"])
    return {"database": kind, "clients": clients, "workers": workers, **result}


def _median_run(runs: list[dict]) -> dict:
    """The run with the median orders/s, plus every run's orders/s: on a shared machine one
    run says little."""
    ordered = sorted(runs, key=lambda r: r["orders_per_s"])
    return {**ordered[(len(ordered) - 1) // 2], "runs": [r["orders_per_s"] for r in runs],
            "oversell": max(r["oversell"] for r in runs),
            "reconciliation_ok": all(r["reconciliation_ok"] for r in runs)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, help="uvicorn worker processes (default: "
                        "1 on SQLite, whose writes go through one writer thread per process; "
                        "one per CPU on PostgreSQL)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per database; the median "
                        "run is reported")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    description = report.machine()
    kinds = [k for k in (args.db or ["sqlite"])
             if k != "postgres" or servers.pg_available() or logger.warning(
                 "PostgreSQL unreachable at %s; skipped", servers.pg_url())]
    runs: dict[str, list[dict]] = {kind: [] for kind in kinds}
    with tempfile.TemporaryDirectory(prefix="bench-orders-") as tmp:
        for _ in range(args.repeat):
            for kind in kinds:  # alternate, so a busy spell on the machine hits both
                workers = args.workers or DEFAULT_WORKERS[kind]
                result = run_one(kind, args.clients, args.seconds, Path(tmp), workers)
                logger.info("%s", json.dumps(result))
                runs[kind].append(result)
    results = [_median_run(runs[kind]) for kind in kinds if runs[kind]]
    if args.write_docs and results:
        path = report.write_docs(report.markdown(results, description, args.seconds))
        logger.info("wrote %s", path)
    return 0 if all(r["oversell"] == 0 and r["reconciliation_ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
