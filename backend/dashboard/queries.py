"""Reads only the dashboard needs: the latest customer feedback with its order number."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.models import Feedback, Order


async def recent_feedback(session: AsyncSession, *, limit: int,
                          max_rating: int | None = None) -> list[dict]:
    query = (select(Feedback.id, Feedback.created_at, Feedback.rating, Feedback.comment,
                    Feedback.channel, Order.number.label("order_number"))
             .outerjoin(Order, Order.id == Feedback.order_id)
             .order_by(Feedback.created_at.desc(), Feedback.id.desc()).limit(limit))
    if max_rating is not None:
        query = query.where(Feedback.rating <= max_rating)
    return [dict(row._mapping) for row in await session.execute(query)]
