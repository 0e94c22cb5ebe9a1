"""Staff routes of the human handoff: the gateway starts a handoff, records what the customer
writes and ends it when the customer goes back to the bot; staff (from Slack through the
gateway, or directly) answer and resolve."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from backend.api.deps import ReadSessionDep, SessionDep, SettingsDep, StaffDep
from backend.support import handoff, service
from backend.support.schemas import (BackToBotCreate, BackToBotPublic, CustomerMessageCreate,
                                     HandoffPublic, ResolvePublic, SlackThreadSet,
                                     StaffMessageCreate, TicketMessagePublic, TicketPublic,
                                     TicketResolve)

router = APIRouter(prefix="/staff/tickets", tags=["staff"])
TicketId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/{ticket_id}", response_model=TicketPublic)
async def read_ticket(ticket_id: TicketId, session: ReadSessionDep, _staff: StaffDep) -> dict:
    return await service.read_ticket(session, ticket_id)


@router.post("/{ticket_id}/handoff", response_model=HandoffPublic)
async def start_handoff(ticket_id: TicketId, session: SessionDep, settings: SettingsDep,
                        _staff: StaffDep) -> dict:
    return await handoff.start_handoff(session, settings, ticket_id)


@router.put("/{ticket_id}/slack-thread", response_model=TicketPublic)
async def set_slack_thread(ticket_id: TicketId, data: SlackThreadSet, session: SessionDep,
                           _staff: StaffDep) -> dict:
    return await handoff.set_slack_thread(session, ticket_id, data.channel, data.thread_ts)


@router.post("/{ticket_id}/customer-messages", response_model=TicketMessagePublic,
             status_code=201)
async def add_customer_message(ticket_id: TicketId, data: CustomerMessageCreate,
                               session: SessionDep, _staff: StaffDep) -> dict:
    return await handoff.add_customer_message(session, ticket_id, data.text, data.external_id)


@router.post("/{ticket_id}/back-to-bot", response_model=BackToBotPublic)
async def back_to_bot(ticket_id: TicketId, data: BackToBotCreate, session: SessionDep,
                      settings: SettingsDep, _staff: StaffDep) -> dict:
    return await handoff.back_to_bot(session, settings, ticket_id, data.text, data.external_id,
                                     data.command)


@router.post("/{ticket_id}/messages", response_model=TicketMessagePublic, status_code=201)
async def add_staff_message(ticket_id: TicketId, data: StaffMessageCreate, session: SessionDep,
                            settings: SettingsDep, _staff: StaffDep) -> dict:
    return await handoff.add_staff_message(session, settings, ticket_id, data.text, data.author,
                                           data.external_id)


@router.post("/{ticket_id}/resolve", response_model=ResolvePublic)
async def resolve_ticket(ticket_id: TicketId, session: SessionDep, settings: SettingsDep,
                         _staff: StaffDep, data: TicketResolve | None = None) -> dict:
    return await handoff.resolve_ticket(session, settings, ticket_id,
                                        data.actor if data else None)
