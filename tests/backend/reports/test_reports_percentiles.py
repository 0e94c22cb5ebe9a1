"""Percentiles: the SQLite ranking path and PostgreSQL's percentile_cont agree with the
textbook definition (linear interpolation at p·(n−1)), per group and overall."""
from __future__ import annotations

import math
import random

import pytest
from sqlalchemy import Float, cast, func, literal, select, union_all

from backend.reports.sql import Sql, percentiles_in_order


def reference(values: list[float], p: float) -> float | None:
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    position = (len(ordered) - 1) * p
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


@pytest.mark.parametrize("size", [1, 2, 7, 40])
async def test_summarize_percentiles_match_the_definition(reports_app, size):
    rng = random.Random(size)
    rows = [(rng.choice("abc"), None if rng.random() < 0.2 else round(rng.uniform(0, 100), 3))
            for _ in range(size)]
    rows.append(("d", None))  # a group with no values at all
    base = union_all(*[select(literal(k).label("k"), cast(literal(v), Float).label("v"))
                       for k, v in rows]).cte("base")
    async with reports_app.state.sessionmaker() as session:
        sql = Sql.of(session)
        query = sql.summarize(base, "k", lambda source: [func.count().label("n")], ["v"])
        result = {(r.key if not r.is_total else None): r for r in await session.execute(query)}
    groups = {k: [v for key, v in rows if key == k] for k, _ in rows}
    groups[None] = [v for _, v in rows]
    assert set(result) == set(groups)
    for key, values in groups.items():
        for p, got in ((0.5, result[key].v_p50), (0.9, result[key].v_p90)):
            expected = reference(values, p)
            assert (got is None) == (expected is None), (key, p)
            if expected is not None:
                assert got == pytest.approx(expected, abs=1e-9), (key, p, sorted(values))


@pytest.mark.parametrize("size", [0, 1, 2, 7, 40])
async def test_percentiles_in_order_match_the_definition(reports_app, size):
    rng = random.Random(size)
    values = [round(rng.uniform(0, 100), 3) for _ in range(size)]
    base = union_all(select(cast(literal(None), Float).label("v")),
                     *[select(cast(literal(v), Float).label("v")) for v in values]).cte("base")
    ordered = select(base.c.v).where(base.c.v.is_not(None)).order_by(base.c.v)
    async with reports_app.state.sessionmaker() as session:
        got = await percentiles_in_order(session, ordered, len(values))
    for p, value in zip((0.5, 0.9), got):
        expected = reference(values, p)
        assert (value is None) == (expected is None)
        if expected is not None:
            assert value == pytest.approx(expected, abs=1e-9), (p, sorted(values))
