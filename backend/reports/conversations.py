"""Conversation metrics read from Rasa's SQL tracker store (read-only): conversations, intents,
fallback rate and containment (conversations that never needed a human).

The `events` table has sender_id, type_name ('user', 'action', 'bot'…), timestamp (epoch
seconds), intent_name and action_name. A conversation is a sender id with at least one user
message in the period; the channel is the sender id's prefix ("telegram:123").
"""
from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import case, column, func, literal_column, select, table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from backend.reports.filters import ReportFilters
from backend.reports.result import Report, arrange, key_text
from backend.reports.scope import ALL_KEY, grouping
from backend.reports.sql import ratio, whole

logger = logging.getLogger(__name__)

events = table("events", column("sender_id"), column("type_name"), column("timestamp"),
               column("intent_name"), column("action_name"))
GROUPS = ("day", "week", "channel", "intent", "none")
COLUMNS = ["conversations", "user_messages", "fallback_rate", "containment_rate"]
FALLBACK_INTENT = "nlu_fallback"
# The action that opens a ticket and hands the conversation to staff (data/rules/support.yml).
HANDOFF_ACTION = "action_open_ticket"
TOP_INTENTS = 50


def _read_only_url(url: str) -> tuple[str | None, str | None]:
    """(URL to open, note) — None and a note when a SQLite file is missing."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return url, None
    path = Path(parsed.database or "")
    if not path.is_file():
        return None, f"tracker store not found: {path}; conversation metrics are zero"
    return f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true", None


def _period(pg: bool, group_by: str):
    ts = events.c.timestamp
    if pg:
        moment = func.timezone(literal_column("'UTC'"), func.to_timestamp(ts))
        if group_by == "week":
            return func.date(func.date_trunc(literal_column("'week'"), moment))
        return func.date(moment)
    if group_by == "week":
        return func.date(ts, "unixepoch", "weekday 0", "-6 days")
    return func.date(ts, "unixepoch")


def _channel(pg: bool):
    sender = events.c.sender_id
    if pg:
        prefix = func.split_part(sender, literal_column("':'"), 1)
    else:
        prefix = func.substr(sender, 1, func.instr(sender, ":") - 1)
    return case((sender.contains(":"), prefix), else_=literal_column("'unknown'"))


def _key(pg: bool, f: ReportFilters):
    if f.group_by in ("day", "week"):
        return _period(pg, f.group_by)
    return _channel(pg) if f.group_by == "channel" else ALL_KEY


def _scope(f: ReportFilters) -> list:
    conditions = [events.c.timestamp >= f.start_at.timestamp(),
                  events.c.timestamp < f.end_before.timestamp()]
    if f.channel:
        conditions.append(events.c.sender_id.startswith(f"{f.channel}:"))
    return conditions


def _flag(condition):
    return func.max(case((condition, 1), else_=0))


async def _per_key(conn: AsyncConnection, pg: bool, f: ReportFilters) -> dict[str, dict]:
    is_user = events.c.type_name == "user"
    handoff = (events.c.type_name == "action") & (events.c.action_name == HANDOFF_ACTION)
    key = _key(pg, f)
    per_sender = (select(key.label("key"), events.c.sender_id, _flag(is_user).label("talked"),
                         _flag(handoff).label("handed"),
                         func.sum(case((is_user, 1), else_=0)).label("messages"),
                         func.sum(case((is_user & (events.c.intent_name == FALLBACK_INTENT), 1),
                                       else_=0)).label("fallbacks"))
                  .where(*_scope(f)).group_by(*grouping(key), events.c.sender_id)
                  ).subquery("per_sender")
    query = select(per_sender.c.key, func.sum(per_sender.c.talked).label("conversations"),
                   func.sum(per_sender.c.talked * per_sender.c.handed).label("handed"),
                   func.sum(per_sender.c.messages).label("messages"),
                   func.sum(per_sender.c.fallbacks).label("fallbacks")).group_by(per_sender.c.key)
    result = {}
    for r in await conn.execute(query):
        conversations, handed = whole(r.conversations), whole(r.handed)
        result[key_text(r.key)] = {
            "conversations": conversations, "user_messages": whole(r.messages),
            "fallback_rate": ratio(r.fallbacks, r.messages), "handed_off": handed,
            "containment_rate": ratio(conversations - handed, conversations)}
    return result


async def _intents(conn: AsyncConnection, f: ReportFilters, total: int) -> list[dict]:
    n = func.count().label("n")
    query = (select(events.c.intent_name, n).where(*_scope(f), events.c.type_name == "user")
             .group_by(events.c.intent_name).order_by(n.desc(), events.c.intent_name)
             .limit(TOP_INTENTS))
    return [{"key": key_text(r.intent_name) or "(none)", "messages": whole(r.n),
             "share": ratio(r.n, total)} for r in await conn.execute(query)]


def _empty() -> dict:
    return {"conversations": 0, "user_messages": 0, "fallback_rate": None, "handed_off": 0,
            "containment_rate": None}


async def conversations_report(tracker_url: str, f: ReportFilters) -> Report:
    url, note = _read_only_url(tracker_url)
    overall = ReportFilters(start=f.start, end=f.end, channel=f.channel)
    totals, by_key, intents, notes = _empty(), {}, [], [note] if note else []
    if url:
        engine = create_async_engine(url, poolclass=NullPool)
        pg = engine.dialect.name == "postgresql"
        try:
            async with engine.connect() as conn:
                totals = (await _per_key(conn, pg, overall)).get("all", totals)
                if f.group_by == "intent":
                    intents = await _intents(conn, f, totals["user_messages"])
                elif f.group_by != "none":
                    by_key = await _per_key(conn, pg, f)
        except (OperationalError, DBAPIError) as exc:  # no events table yet, or unreachable
            logger.warning("tracker store unreadable: %s", exc.__class__.__name__)
            notes.append("tracker store has no readable events table yet; conversation "
                         "metrics are zero")
        finally:
            await engine.dispose()
    if f.sku or f.category:
        notes.append("conversations are not tied to products; sku/category are ignored")
    if f.group_by == "intent":
        return Report("conversations", f, totals, ["key", "messages", "share"], intents, notes)
    empty = {c: v for c, v in _empty().items() if c in COLUMNS}
    rows = arrange(f, {k: {c: v[c] for c in COLUMNS} for k, v in by_key.items()}, empty,
                   order="conversations")
    return Report("conversations", f, totals, ["key", *COLUMNS], rows, notes)
