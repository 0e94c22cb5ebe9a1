"""The CLI: setup migrates and seeds once; a second run changes nothing."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from tests.backend.servers import REPO_ROOT


def _manage(command: str, db_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{db_path}"}
    return subprocess.run([sys.executable, "-m", "backend.manage", command], cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def _counts(db_path) -> dict[str, int]:
    with sqlite3.connect(db_path) as db:
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("products", "orders", "order_lines", "stock_movements", "feedback")}


def test_manage_setup_seeds_once(tmp_path):
    db_path = tmp_path / "seed.db"
    first = _manage("setup", db_path)
    assert first.returncode == 0, first.stderr
    assert "seeded" in first.stderr
    counts = _counts(db_path)
    assert counts["products"] >= 30 and counts["orders"] > 1000 and counts["feedback"] > 0
    second = _manage("setup", db_path)
    assert second.returncode == 0 and "seed skipped" in second.stderr
    assert _counts(db_path) == counts
    check = _manage("reconcile", db_path)
    assert check.returncode == 0 and '"ok": true' in check.stderr


def test_seed_history_has_weekly_seasonality_and_trend(tmp_path):
    db_path = tmp_path / "seed.db"
    assert _manage("setup", db_path).returncode == 0
    with sqlite3.connect(db_path) as db:
        by_weekday = dict(db.execute(
            "SELECT strftime('%w', created_at), COUNT(*) FROM orders GROUP BY 1").fetchall())
        months = [n for _, n in db.execute(
            "SELECT strftime('%Y-%m', created_at), COUNT(*) FROM orders GROUP BY 1 ORDER BY 1")]
        statuses = {s for (s,) in db.execute("SELECT DISTINCT status FROM orders")}
    assert by_weekday["6"] > by_weekday["1"] * 1.3  # Saturdays busier than Mondays
    assert months[-2] > months[1]  # growing (first and last months are partial)
    assert {"delivered", "cancelled", "refunded"} <= statuses
