"""Staff operations: support tickets, stock reconciliation, pending-order expiry."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel

from backend.api.deps import ReadSessionDep, SessionDep, StaffDep
from backend.inventory.reconcile import reconcile
from backend.orders.expiry import expire_pending_orders
from backend.support import service
from backend.support.schemas import TicketPublic, TicketsPublic, TicketStatus, TicketUpdate

router = APIRouter(prefix="/staff", tags=["staff"])


class Mismatch(BaseModel):
    sku: str
    on_hand: int
    reserved: int
    live_reserved: int
    ledger_on_hand: int
    ledger_reserved: int


class ReconciliationPublic(BaseModel):
    ok: bool
    checked_skus: int
    mismatches: list[Mismatch]


class ExpiryPublic(BaseModel):
    expired: int


@router.get("/tickets", response_model=TicketsPublic)
async def read_tickets(
    session: ReadSessionDep, _staff: StaffDep,
    status: Annotated[TicketStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    conversation_id: Annotated[str | None, Query(max_length=200)] = None,
    slack_thread_ts: Annotated[str | None, Query(max_length=32)] = None,
    handoff_active: Annotated[bool | None, Query()] = None,
) -> dict:
    data, count = await service.list_tickets(
        session, status=status, limit=limit, offset=offset, conversation_id=conversation_id,
        slack_thread_ts=slack_thread_ts, handoff_active=handoff_active)
    return {"data": data, "count": count}


@router.patch("/tickets/{ticket_id}", response_model=TicketPublic)
async def update_ticket(ticket_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
                        data: TicketUpdate, session: SessionDep, _staff: StaffDep) -> dict:
    return await service.update_ticket(session, ticket_id, data)


@router.get("/inventory/reconciliation", response_model=ReconciliationPublic)
async def read_reconciliation(session: ReadSessionDep, _staff: StaffDep) -> dict:
    return await reconcile(session)


@router.post("/orders/expire", response_model=ExpiryPublic)
async def expire_orders(request: Request, _staff: StaffDep) -> dict:
    return {"expired": await expire_pending_orders(request.app.state.sessionmaker)}
