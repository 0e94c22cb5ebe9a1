"""CPython's garbage collector, set up for a long-running API process.

Almost every object a request makes is freed by reference counting; the cyclic collector
only has to catch the rare cycle. By default it also runs a young collection every 700 net
allocations and, every 100 of those, a full one that walks every object alive: FastAPI,
SQLAlchemy, pydantic and the forecasting libraries loaded at startup included. Under order
load that was a 120-140 ms pause every few thousand requests, all requests in flight waiting
on it: the p99. Freezing what startup built keeps it out of every later collection, and a
larger young threshold makes collections rare without letting cycles pile up (2026-11-25,
SQLite in-process: longest pause 140 ms -> 2-4 ms, p99 65 -> 45 ms).
"""
from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000  # net allocations between young collections (CPython default: 700)
OLDER_THRESHOLD = 20      # collections of the younger generation before an older one runs


def tune_for_serving() -> None:
    """Call once the app is built and started: what exists now lives as long as the process."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, OLDER_THRESHOLD, OLDER_THRESHOLD)
