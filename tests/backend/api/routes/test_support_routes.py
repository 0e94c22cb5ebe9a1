"""Feedback and support tickets."""
from __future__ import annotations

import uuid

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
