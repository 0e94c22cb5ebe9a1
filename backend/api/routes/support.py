"""Customer feedback and support tickets (human handoff)."""
from __future__ import annotations

from fastapi import APIRouter, Response

from backend.api.deps import CustomerDep, SessionDep
from backend.support import service
from backend.support.schemas import (FeedbackCreate, FeedbackPublic, FeedbackUpdate, TicketCreate,
                                     TicketPublic)

router = APIRouter(tags=["support"])


@router.post("/feedback", response_model=FeedbackPublic, status_code=201)
async def create_feedback(data: FeedbackCreate, session: SessionDep, ref: CustomerDep) -> dict:
    return await service.create_feedback(session, ref=ref, data=data)


@router.patch("/feedback/{feedback_id}", response_model=FeedbackPublic)
async def update_feedback(feedback_id: int, data: FeedbackUpdate, session: SessionDep,
                          ref: CustomerDep) -> dict:
    return await service.update_feedback(session, ref=ref, feedback_id=feedback_id, data=data)


@router.post("/tickets", response_model=TicketPublic, status_code=201,
             responses={200: {"model": TicketPublic,
                              "description": "the open ticket for the same problem (already_open)"}})
async def create_ticket(data: TicketCreate, session: SessionDep, ref: CustomerDep,
                        response: Response) -> dict:
    ticket = await service.create_ticket(session, ref=ref, data=data)
    if ticket.get("already_open"):
        response.status_code = 200
    return ticket
