"""Customer feedback: CSAT (share of 4–5), response rate, score distribution, and the words
that come up most in low-score comments."""
from __future__ import annotations

from sqlalchemy import case, exists, func, literal, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.reports.filters import ReportFilters
from backend.reports.result import Report, arrange, key_text
from backend.reports.scope import (ALL_KEY, DELIVERED_OR_LATER, grouping, line_conditions, lines,
                                   order_conditions, orders, products)
from backend.reports.sql import Sql, in_range, ratio, whole
from backend.support.models import Feedback

feedback = Feedback.__table__
GROUPS = ("day", "week", "channel", "rating", "word", "none")
COLUMNS = ["responses", "csat", "avg_rating"]
LOW_RATING = 2
TOP_WORDS = 20
STOP_WORDS = frozenset("""
a about after again all also am an and any are as at be been but by can could did do does
don't for from get got had has have he her here him his how i i'm if in into is it it's its
just me more my no not now of on one only or our out so some than that the their them then
there they this to too up us very was we were what when which who will with would you your
""".split())
_PUNCTUATION = ".,!?;:\"()[]/-\n\t*"


def _conditions(f: ReportFilters) -> list:
    conditions = [in_range(feedback.c.created_at, f)]
    if f.channel:
        conditions.append(feedback.c.channel == f.channel)
    if f.sku or f.category:
        about = select(literal(1)).select_from(
            lines.join(products, products.c.sku == lines.c.sku)
        ).where(lines.c.order_id == feedback.c.order_id, *line_conditions(f))
        conditions.append(exists(about))
    return conditions


def _key(sql: Sql, f: ReportFilters):
    if f.group_by in ("day", "week"):
        return sql.period(feedback.c.created_at, f.group_by)
    return feedback.c.channel if f.group_by == "channel" else ALL_KEY


async def feedback_counts(session: AsyncSession, f: ReportFilters) -> dict[str, dict]:
    """Raw per-key counts: n (ratings), happy (4–5), rating_sum."""
    key = _key(Sql.of(session), f)
    query = (select(key.label("key"), func.count().label("n"),
                    func.sum(case((feedback.c.rating >= 4, 1), else_=0)).label("happy"),
                    func.sum(feedback.c.rating).label("rating_sum"))
             .where(*_conditions(f)).group_by(*grouping(key)))
    return {key_text(r.key): {"n": whole(r.n), "happy": whole(r.happy),
                              "rating_sum": whole(r.rating_sum)}
            for r in await session.execute(query)}


def _scores(counts: dict) -> dict:
    n = counts["n"]
    return {"responses": n, "csat": ratio(counts["happy"], n),
            "avg_rating": ratio(counts["rating_sum"], n, 2)}


async def _distribution(session: AsyncSession, f: ReportFilters) -> dict[int, int]:
    query = (select(feedback.c.rating, func.count().label("n")).where(*_conditions(f))
             .group_by(feedback.c.rating))
    return {r.rating: whole(r.n) for r in await session.execute(query)}


async def _response_rate(session: AsyncSession, f: ReportFilters) -> float | None:
    """Delivered orders of the range with at least one feedback / delivered orders."""
    answered = exists(select(literal(1)).where(feedback.c.order_id == orders.c.id))
    query = select(func.count().label("delivered"),
                   func.sum(case((answered, 1), else_=0)).label("answered")).where(
        *order_conditions(f), orders.c.status.in_(DELIVERED_OR_LATER))
    row = (await session.execute(query)).one()
    return ratio(row.answered, row.delivered)


def _words(sql: Sql, f: ReportFilters):
    """Lower-cased words of comments rated 1–2: regexp_split_to_table on PostgreSQL, a
    recursive split at spaces on SQLite."""
    low = [*_conditions(f), feedback.c.rating <= LOW_RATING, feedback.c.comment != ""]
    if sql.pg:
        split = func.regexp_split_to_table(func.lower(feedback.c.comment),
                                           literal_column("'[^a-z0-9'']+'"))
        return select(split.label("word")).where(*low).subquery("words")
    text = func.lower(feedback.c.comment)
    for mark in _PUNCTUATION:
        text = func.replace(text, mark, " ")
    parts = select((text + " ").label("rest"), literal("").label("word")).where(*low).cte(
        "parts", recursive=True)
    cut = func.instr(parts.c.rest, " ")
    parts = parts.union_all(select(func.substr(parts.c.rest, cut + 1),
                                   func.substr(parts.c.rest, 1, cut - 1))
                            .where(parts.c.rest != ""))
    return select(parts.c.word).subquery("words")


async def _top_words(session: AsyncSession, sql: Sql, f: ReportFilters) -> list[dict]:
    words = _words(sql, f)
    n = func.count().label("count")
    query = (select(words.c.word, n)
             .where(func.length(words.c.word) >= 3, words.c.word.not_in(STOP_WORDS))
             .group_by(words.c.word).order_by(n.desc(), words.c.word).limit(TOP_WORDS))
    return [{"key": r.word, "count": whole(r.count)} for r in await session.execute(query)]


async def feedback_report(session: AsyncSession, f: ReportFilters) -> Report:
    sql = await Sql.for_report(session)
    distribution = await _distribution(session, f)
    n = sum(distribution.values())
    totals = {"responses": n, "csat": ratio(distribution.get(4, 0) + distribution.get(5, 0), n),
              "avg_rating": ratio(sum(r * c for r, c in distribution.items()), n, 2),
              "response_rate": await _response_rate(session, f),
              **{f"rating_{r}": distribution.get(r, 0) for r in range(1, 6)}}
    if f.group_by == "rating":
        rows = [{"key": str(r), "responses": distribution.get(r, 0),
                 "share": ratio(distribution.get(r, 0), n)} for r in range(1, 6)]
        return Report("feedback", f, totals, ["key", "responses", "share"], rows)
    if f.group_by == "word":
        return Report("feedback", f, totals, ["key", "count"], await _top_words(session, sql, f))
    by_key = {} if f.group_by == "none" else {
        k: _scores(c) for k, c in (await feedback_counts(session, f)).items()}
    empty = {"responses": 0, "csat": None, "avg_rating": None}
    return Report("feedback", f, totals, ["key", *COLUMNS],
                  arrange(f, by_key, empty, order="responses"))
