"""Feedback and support tickets."""
from __future__ import annotations

import uuid

import httpx

from tests.backend.factories import STAFF, bot, create_order, create_product


async def test_create_feedback_for_own_order(client):
    product = await create_product(client)
    who = f"telegram:{uuid.uuid4().int % 10**9}"
    order = await create_order(client, who, (product["sku"], 1))
    response = await client.post("/api/v1/feedback", headers=bot(who), json={
        "rating": 5, "comment": "Lovely", "order_number": order["number"]})
    assert response.status_code == 201
    assert response.json()["order_number"] == order["number"] and response.json()["rating"] == 5


async def test_create_feedback_for_conversation(client):
    response = await client.post("/api/v1/feedback", headers=bot(), json={
        "rating": 2, "conversation_id": "conv-1"})
    assert response.status_code == 201 and response.json()["channel"] == "telegram"


async def test_create_feedback_bad_rating_or_other_order(client):
    bad = await client.post("/api/v1/feedback", headers=bot(), json={
        "rating": 6, "conversation_id": "c"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "rating"
    product = await create_product(client)
    order = await create_order(client, "web:owner-" + uuid.uuid4().hex, (product["sku"], 1))
    other = await client.post("/api/v1/feedback", headers=bot(), json={
        "rating": 1, "order_number": order["number"]})
    assert other.status_code == 404


async def test_create_ticket_and_staff_assign(client):
    response = await client.post("/api/v1/tickets", headers=bot("slack:T1:U9"), json={
        "reason": "wants a human", "conversation_id": "slack:T1:U9",
        "transcript": [{"sender": "user", "text": "agent please"},
                       {"sender": "bot", "text": "Connecting you"}]})
    assert response.status_code == 201
    ticket = response.json()
    assert ticket["status"] == "open" and len(ticket["transcript"]) == 2
    listed = (await client.get("/api/v1/staff/tickets", params={"status": "open"},
                               headers=STAFF)).json()
    assert ticket["id"] in [t["id"] for t in listed["data"]]
    updated = await client.patch(f"/api/v1/staff/tickets/{ticket['id']}",
                                 json={"assignee": "maria"}, headers=STAFF)
    assert updated.json()["status"] == "assigned" and updated.json()["assignee"] == "maria"


async def test_asking_again_for_the_same_problem_returns_the_open_ticket(client):
    """Same conversation, reason and order: one ticket, with the new request added to it; another
    reason, or after the ticket is resolved, a new one."""
    who = "web:twice-" + uuid.uuid4().hex

    async def ask(reason: str, text: str) -> httpx.Response:
        return await client.post("/api/v1/tickets", headers=bot(who), json={
            "reason": reason, "conversation_id": who, "transcript": [
                {"sender": "user", "text": text}, {"sender": "bot", "text": "Sorry about that."}]})

    first = await ask("customer asked for a person", "my order is late")
    again = await ask("customer asked for a person", "still nothing, get me someone")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["already_open"]
    assert [turn["text"] for turn in again.json()["transcript"]] == [
        "my order is late", "Sorry about that.", "still nothing, get me someone"]
    other = await ask("customer complaint", "the mug is chipped")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    await client.patch(f"/api/v1/staff/tickets/{first.json()['id']}", json={"status": "resolved"},
                       headers=STAFF)
    after = await ask("customer asked for a person", "hello? a person please")
    assert after.status_code == 201 and after.json()["id"] != first.json()["id"]
    assert not after.json()["already_open"]


async def test_a_request_for_a_person_can_join_whatever_ticket_is_open(client):
    """A complaint's ticket is open; "can i talk to a human" (any_open) is handed that ticket."""
    who = "web:person-" + uuid.uuid4().hex
    complaint = (await client.post("/api/v1/tickets", headers=bot(who), json={
        "reason": "complaint", "conversation_id": who,
        "transcript": [{"sender": "user", "text": "the mug is chipped"}]})).json()
    person = await client.post("/api/v1/tickets", headers=bot(who), json={
        "reason": "customer asked for a person", "conversation_id": who, "any_open": True,
        "transcript": [{"sender": "user", "text": "can i talk to a human"}]})
    assert person.status_code == 200 and person.json()["id"] == complaint["id"]
    assert person.json()["reason"] == "complaint"


async def test_a_ticket_links_another_customers_order_only_with_its_email_or_phone(client):
    """A chat that verified someone else's order (a gift, a partner's) opens a ticket about it: the
    email or phone on the order links it; without them, or with wrong ones, 404 as for no order."""
    product = await create_product(client)
    order = await create_order(client, "web:owner-" + uuid.uuid4().hex, (product["sku"], 1),
                               email="grace@example.com", contact_phone="+353 85 123 4567")
    asker = "web:other-" + uuid.uuid4().hex

    async def ticket(**contact) -> httpx.Response:
        return await client.post("/api/v1/tickets", headers=bot(asker), json={
            "reason": "late order", "conversation_id": asker, "order_number": order["number"], **contact})

    for refused in ({}, {"email": "mallory@example.com"}, {"phone": "085 999 0000"}):
        response = await ticket(**refused)
        assert response.status_code == 404, refused
        assert response.headers["content-type"].startswith("application/problem+json")
    by_email = await ticket(email="Grace@Example.com")
    assert by_email.status_code == 201 and by_email.json()["order_number"] == order["number"]
    by_phone = await ticket(phone="085 123 4567")  # the same problem: the same ticket
    assert by_phone.json()["id"] == by_email.json()["id"] and by_phone.json()["already_open"] is True
