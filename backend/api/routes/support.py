"""Customer feedback and support tickets (human handoff)."""
from __future__ import annotations

from fastapi import APIRouter, Response

from backend.api.deps import CustomerDep, SessionDep
from backend.support import service
from backend.support.schemas import (FeedbackComment, FeedbackCreate, FeedbackPublic, TicketCreate,
                                     TicketPublic)

router = APIRouter(tags=["support"])


@router.post("/feedback", response_model=FeedbackPublic, status_code=201)
async def create_feedback(data: FeedbackCreate, session: SessionDep, ref: CustomerDep) -> dict:
    return await service.create_feedback(session, ref=ref, data=data)


@router.patch("/feedback/{feedback_id}", response_model=FeedbackPublic)
async def add_feedback_comment(feedback_id: int, data: FeedbackComment, session: SessionDep,
                               ref: CustomerDep) -> dict:
    return await service.add_feedback_comment(session, ref=ref, feedback_id=feedback_id,
                                              comment=data.comment)


@router.post("/tickets", response_model=TicketPublic, status_code=201,
             responses={200: {"model": TicketPublic,
                              "description": "the open ticket for the same problem (already_open)"}})
async def create_ticket(data: TicketCreate, session: SessionDep, ref: CustomerDep,
                        response: Response) -> dict:
    ticket = await service.create_ticket(session, ref=ref, data=data)
    if ticket.get("already_open"):
        response.status_code = 200
    return ticket
