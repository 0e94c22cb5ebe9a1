"""The few SQL expressions that differ between SQLite and PostgreSQL, behind one small class.

Timestamps are UTC. On SQLite they are stored as 'YYYY-MM-DD HH:MM:SS.ffffff' text, so a day
is the first ten characters; on PostgreSQL they are timestamptz, read in UTC explicitly so the
session's time zone never shifts a day.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import (TIMESTAMP, Date, Float, Integer, and_, case, cast, func, literal,
                        literal_column, null, or_, select, text, true, union_all)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement, Select

# Inline constants, not bind parameters: PostgreSQL only matches a GROUP BY expression with the
# selected one when they are textually equal, and two binds ($1, $2) are not.
_UTC = literal_column("'UTC'")


class Sql:
    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.pg = dialect == "postgresql"

    @classmethod
    def of(cls, session: AsyncSession) -> Sql:
        return cls(session.get_bind().dialect.name)

    @classmethod
    async def for_report(cls, session: AsyncSession) -> Sql:
        """`of`, once per report, also switching PostgreSQL's JIT off for its transaction.

        A year-long report plans above jit_above_cost, and compiling its expressions took
        0.1–0.8 s per statement, more than running them (EXPLAIN ANALYZE, 100,000 orders)."""
        sql = cls.of(session)
        if sql.pg:
            await session.execute(text("SET LOCAL jit = off"))
        return sql

    def day(self, column) -> ColumnElement:
        if self.pg:
            return func.date(func.timezone(_UTC, column))
        return func.substr(column, 1, 10)

    def week(self, column) -> ColumnElement:
        """The Monday of the ISO week."""
        if self.pg:
            return func.date(func.date_trunc(literal_column("'week'"), func.timezone(_UTC, column)))
        return func.date(column, "weekday 0", "-6 days")

    def week_of_day(self, day) -> ColumnElement:
        """The Monday of the ISO week of a `day()` value (a date, not a timestamp)."""
        if self.pg:
            return func.date(func.date_trunc(literal_column("'week'"), cast(day, TIMESTAMP)))
        return func.date(day, "weekday 0", "-6 days")

    def calendar(self, start: date, end: date):
        """A recursive CTE `calendar(d)` with every day from start to end, as `day()` values."""
        first = self.date_value(start)
        cal = select(first.label("d")).cte("calendar", recursive=True)
        step = (cal.c.d + 1) if self.pg else func.date(cal.c.d, "+1 day")
        return cal.union_all(select(step).where(cal.c.d < self.date_value(end)))

    def period(self, column, group_by: str) -> ColumnElement:
        return self.week(column) if group_by == "week" else self.day(column)

    def hours_between(self, start, end) -> ColumnElement:
        if self.pg:
            return cast(func.extract("epoch", end - start), Float) / 3600.0
        return (func.julianday(end) - func.julianday(start)) * 24.0

    def date_value(self, day: date) -> ColumnElement:
        """A date literal comparable with `day()` keys."""
        return literal(day, Date) if self.pg else literal(day.isoformat())

    def summarize(self, base, key: str | None, aggregates: Callable[[Any], list],
                  values: list[str], ps: tuple[float, ...] = (0.5, 0.9),
                  with_total: bool = True) -> Select:
        """One statement: a row per `key` (is_total 0) and a total row (key NULL, is_total 1)
        with `aggregates(source)` and continuous percentiles `<value>_p50`, `<value>_p90`…

        `base` is a CTE, computed once. PostgreSQL has percentile_cont; elsewhere the values are
        numbered in order and the two around position p·(n−1) interpolated: the same definition.
        """
        part = self._pg_part if self.pg else self._ranked_part
        return self._union(key, with_total,
                           lambda total: part(base, key, aggregates, values, ps, total))

    @staticmethod
    def _union(key: str | None, with_total: bool, part: Callable[[bool], Select]) -> Select:
        if key is None:
            return part(True)
        return union_all(part(False), part(True)) if with_total else part(False)

    @staticmethod
    def _head(source, key: str | None, total: bool) -> list:
        return [(null() if total else source.c[key]).label("key"),
                literal_column("1" if total else "0").label("is_total")]

    def _pg_part(self, base, key, aggregates, values, ps, total: bool) -> Select:
        cols = [func.percentile_cont(p).within_group(base.c[v].asc()).label(f"{v}_p{p * 100:.0f}")
                for v in values for p in ps]
        query = select(*self._head(base, key, total), *aggregates(base), *cols)
        return query if total else query.group_by(base.c[key])

    def _ranked_part(self, base, key, aggregates, values, ps, total: bool) -> Select:
        """Without percentile_cont: counts and aggregates per group in one pass; then, per
        value, its non-null values numbered in order within the group (only key and value are
        sorted), of which the one or two rows around p·(n−1) are kept and interpolated."""
        group = [] if total else [base.c[key]]
        stats = (select(*[g.label("key") for g in group], *aggregates(base),
                        *[func.count(base.c[v]).label(f"{v}_n") for v in values])
                 .group_by(*group).cte("stats_total" if total else "stats"))
        query_from, cols = stats, []
        for v in values:
            picks = self._picks(base, stats, group, v, ps).subquery(
                f"picks_{v}_total" if total else f"picks_{v}")
            on = true() if total else picks.c.key == stats.c.key
            query_from = query_from.outerjoin(picks, on)
            cols += [picks.c[f"{v}_p{p * 100:.0f}"] for p in ps]
        counts = {"key", *(f"{v}_n" for v in values)}
        rest = [c for c in stats.c if c.name not in counts]
        return select(*self._head(stats, "key", total), *rest, *cols).select_from(query_from)

    @staticmethod
    def _picks(base, stats, group, v: str, ps) -> Select:
        ranked = select(*[g.label("key") for g in group], base.c[v].label("v"),
                        (func.row_number().over(partition_by=group or None, order_by=base.c[v])
                         - 1).label("rank")).where(base.c[v].is_not(None)).subquery("ranked")
        n = stats.c[f"{v}_n"]
        positions = [((n - 1) * p, cast((n - 1) * p, Integer)) for p in ps]  # floor: ≥ 0
        near = or_(*[ranked.c["rank"].between(below, below + 1) for _, below in positions])
        cols = []
        for p, (position, below) in zip(ps, positions):
            around = case((ranked.c["rank"].between(below, below + 1), ranked.c.v))
            low, high = func.min(around), func.max(around)
            # n is one value per group, so `position` is too.
            cols.append((low + (high - low) * (position - below)).label(f"{v}_p{p * 100:.0f}"))
        on = true() if not group else stats.c.key == ranked.c.key
        keys = [ranked.c.key] if group else []
        return (select(*keys, *cols).select_from(ranked.join(stats, on))
                .where(near).group_by(*keys))


async def percentiles_in_order(session: AsyncSession, ordered: Select, n: int,
                               ps: tuple[float, ...] = (0.5, 0.9)) -> list[float | None]:
    """The continuous percentiles of `Sql.summarize` for one group whose `n` non-null values
    `ordered` (one column, ascending) reads in an index's order: only the one or two values
    around p·(n−1) are fetched (LIMIT 2 OFFSET), so SQLite neither sorts nor ranks them all.
    The arithmetic is `_ranked_part`'s, so the results are the same floats."""
    results: list[float | None] = []
    for p in ps:
        if not n:
            results.append(None)
            continue
        position = (n - 1) * p
        below = int(position)
        around = [v for (v,) in await session.execute(ordered.limit(2).offset(below))]
        low, high = around[0], around[-1]
        results.append(low + (high - low) * (position - below))
    return results


def ratio(numerator, denominator, digits: int = 4) -> float | None:
    if not denominator:
        return None
    return round(float(numerator or 0) / float(denominator), digits)


def hours(value) -> float | None:
    return None if value is None else round(float(value), 2)


def whole(value) -> int:
    return int(value or 0)


def in_range(column, filters) -> ColumnElement:
    return and_(column >= filters.start_at, column < filters.end_before)
