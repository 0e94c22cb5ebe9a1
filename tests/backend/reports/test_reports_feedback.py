"""Feedback, tickets and conversations against the hand-computed answers of dataset.py."""
from __future__ import annotations

from tests.backend.reports.conftest import get_report


async def test_feedback_totals(reports):
    # In range: ratings 5, 2, 1, 4. Delivered orders O1, O2, O5; feedback on O1 and O5.
    body = await get_report(reports, "feedback", group_by="none")
    assert body["totals"] == {"responses": 4, "csat": 0.5, "avg_rating": 3.0,
                              "response_rate": 0.6667, "rating_1": 1, "rating_2": 1,
                              "rating_3": 0, "rating_4": 1, "rating_5": 1}


async def test_feedback_distribution(reports):
    body = await get_report(reports, "feedback", group_by="rating")
    assert [(r["key"], r["responses"], r["share"]) for r in body["rows"]] == [
        ("1", 1, 0.25), ("2", 1, 0.25), ("3", 0, 0.0), ("4", 1, 0.25), ("5", 1, 0.25)]


async def test_feedback_low_score_words_skip_stop_words(reports):
    body = await get_report(reports, "feedback", group_by="word")
    assert body["rows"] == [{"key": "damaged", "count": 2}, {"key": "late", "count": 2},
                            {"key": "parcel", "count": 2}, {"key": "box", "count": 1},
                            {"key": "mug", "count": 1}]


async def test_feedback_by_channel(reports):
    body = await get_report(reports, "feedback", group_by="channel")
    rows = {r["key"]: r for r in body["rows"]}
    assert rows["web"] == {"key": "web", "responses": 2, "csat": 0.5, "avg_rating": 3.0}


async def test_tickets(reports):
    # opened in range: 3; resolved in range: 4 h, 48 h, 216 h; open now: 2
    body = await get_report(reports, "tickets", group_by="none")
    assert body["totals"] == {"opened": 3, "resolved": 3, "resolve_p50_hours": 48.0,
                              "resolve_p90_hours": 182.4, "open_now": 2}
    by_day = {r["key"]: r for r in (await get_report(reports, "tickets"))["rows"]}
    assert by_day["2026-11-03"] == {"key": "2026-11-03", "opened": 1, "resolved": 1,
                                    "resolve_p50_hours": 216.0, "resolve_p90_hours": 216.0}


async def test_conversations(reports):
    body = await get_report(reports, "conversations", group_by="none")
    assert body["totals"] == {"conversations": 3, "user_messages": 5, "fallback_rate": 0.2,
                              "handed_off": 1, "containment_rate": 0.6667}
    assert body["notes"] == []


async def test_conversations_by_channel_and_intent(reports):
    rows = {r["key"]: r for r in
            (await get_report(reports, "conversations", group_by="channel"))["rows"]}
    assert rows["telegram"] == {"key": "telegram", "conversations": 2, "user_messages": 3,
                                "fallback_rate": 0.0, "containment_rate": 1.0}
    assert rows["web"]["containment_rate"] == 0.0 and rows["web"]["fallback_rate"] == 0.5
    intents = (await get_report(reports, "conversations", group_by="intent"))["rows"]
    assert intents[0] == {"key": "contact_human_agent", "messages": 1, "share": 0.2}
    assert len(intents) == 5
