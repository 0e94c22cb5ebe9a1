"""Feedback in two steps (rating first, then an optional comment) and low scores' follow-up tickets."""
from __future__ import annotations

import uuid

from tests.backend.factories import STAFF, bot


def identity() -> str:
    return f"web:{uuid.uuid4().hex}"


async def rate(client, who: str, rating: int) -> dict:
    response = await client.post("/api/v1/feedback", headers=bot(who),
                                 json={"rating": rating, "conversation_id": who})
    assert response.status_code == 201, response.text
    return response.json()


async def test_add_feedback_comment_to_own_rating(client):
    who = identity()
    feedback = await rate(client, who, 4)
    assert feedback["ticket_id"] is None
    response = await client.patch(f"/api/v1/feedback/{feedback['id']}", headers=bot(who),
                                  json={"comment": "Quick delivery"})
    assert response.status_code == 200, response.text
    assert (response.json()["comment"], response.json()["rating"]) == ("Quick delivery", 4)


async def test_comment_on_a_low_rating_reaches_its_follow_up_ticket(client):
    who = identity()
    feedback = await rate(client, who, 2)
    await rate(client, who, 1)  # a second low rating: its own ticket, not this one
    response = await client.patch(f"/api/v1/feedback/{feedback['id']}", headers=bot(who),
                                  json={"comment": "mugs came broken and nobody replied"})
    assert response.status_code == 200, response.text
    ticket = (await client.get(f"/api/v1/staff/tickets/{feedback['ticket_id']}", headers=STAFF)).json()
    assert [t["text"] for t in ticket["transcript"]] == [
        "Rated 2/5.", "Comment: mugs came broken and nobody replied"]


async def test_add_feedback_comment_to_someone_elses_rating_is_not_found(client):
    feedback = await rate(client, identity(), 5)
    response = await client.patch(f"/api/v1/feedback/{feedback['id']}", headers=bot(identity()),
                                  json={"comment": "mine now"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_add_feedback_comment_empty_is_refused(client):
    who = identity()
    feedback = await rate(client, who, 3)
    response = await client.patch(f"/api/v1/feedback/{feedback['id']}", headers=bot(who), json={"comment": ""})
    assert response.status_code == 422


async def test_low_rating_opens_follow_up_ticket(client):
    who = identity()
    feedback = await rate(client, who, 1)
    assert feedback["ticket_id"] is not None
    tickets = (await client.get("/api/v1/staff/tickets", params={"status": "open"}, headers=STAFF)).json()
    ticket = next(t for t in tickets["data"] if t["id"] == feedback["ticket_id"])
    assert ticket["reason"] == "low feedback rating (1/5)" and ticket["conversation_id"] == who


async def follow_up(client, ticket_id: int) -> list[str]:
    ticket = (await client.get(f"/api/v1/staff/tickets/{ticket_id}", headers=STAFF)).json()
    return [turn["text"] for turn in ticket["transcript"]]


async def test_a_corrected_rating_is_stored_and_its_follow_up_ticket_told(client):
    """"sorry, I meant 5" after a 1: the rating is 5, the team's ticket says so."""
    who = identity()
    feedback = await rate(client, who, 1)
    response = await client.patch(f"/api/v1/feedback/{feedback['id']}", headers=bot(who), json={"rating": 5})
    assert response.status_code == 200, response.text
    assert (response.json()["rating"], response.json()["ticket_id"]) == (5, feedback["ticket_id"])
    assert await follow_up(client, feedback["ticket_id"]) == ["Rated 1/5.", "Rating corrected to 5/5."]
    ticket = (await client.get(f"/api/v1/staff/tickets/{feedback['ticket_id']}", headers=STAFF)).json()
    assert ticket["status"] == "resolved"  # nothing left to follow up


async def test_a_rating_corrected_down_to_a_low_one_opens_the_follow_up(client):
    who = identity()
    feedback = await rate(client, who, 4)
    corrected = (await client.patch(f"/api/v1/feedback/{feedback['id']}", headers=bot(who),
                                    json={"rating": 2})).json()
    assert corrected["ticket_id"] is not None
    commented = (await client.patch(f"/api/v1/feedback/{feedback['id']}", headers=bot(who),
                                    json={"comment": "the box was crushed"})).json()
    assert commented["ticket_id"] == corrected["ticket_id"]
    assert await follow_up(client, corrected["ticket_id"]) == ["Rated 2/5.", "Comment: the box was crushed"]


async def test_a_feedback_update_needs_a_valid_rating_or_a_comment(client):
    who = identity()
    feedback = await rate(client, who, 3)
    for body in ({}, {"rating": 0}, {"rating": 6}, {"rating": 4, "comment": ""}):
        response = await client.patch(f"/api/v1/feedback/{feedback['id']}", headers=bot(who), json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await client.patch(f"/api/v1/feedback/{feedback['id']}", headers=bot(who),
                               json={"comment": "fine"})).json()["rating"] == 3
