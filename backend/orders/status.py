"""Order statuses and the only moves allowed between them."""
from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    PENDING = "pending"                    # awaiting the customer's confirmation
    CONFIRMED = "confirmed"
    PROCESSING = "processing"              # picking and packing
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURN_REQUESTED = "return_requested"
    RETURNED = "returned"
    REFUNDED = "refunded"


S = OrderStatus
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING: frozenset({S.CONFIRMED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.PROCESSING, S.CANCELLED}),
    S.PROCESSING: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.RETURN_REQUESTED}),
    # back to delivered: the return withdrawn before its parcel reached the shop
    S.RETURN_REQUESTED: frozenset({S.RETURNED, S.DELIVERED}),
    S.RETURNED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}

# Statuses whose lines still hold a stock reservation (reconciliation sums these).
LIVE_STATUSES = frozenset({S.PENDING, S.CONFIRMED, S.PROCESSING})
# A return was asked for: the lines' return_quantity says what goes back.
RETURN_STATUSES = frozenset({S.RETURN_REQUESTED, S.RETURNED, S.REFUNDED})
# Items and address may change only before the parcel leaves.
EDITABLE_STATUSES = LIVE_STATUSES
# Moves a customer (through the bot) may make; everything else is staff-only. A customer also
# withdraws their own return (return_requested → delivered, `service.withdraw_return`), but may
# never mark a parcel delivered.
CUSTOMER_TRANSITIONS = frozenset({S.CONFIRMED, S.CANCELLED, S.RETURN_REQUESTED})


def allowed_next(current: OrderStatus | str) -> list[str]:
    return sorted(s.value for s in TRANSITIONS[OrderStatus(current)])


def can_transition(current: OrderStatus | str, target: OrderStatus | str) -> bool:
    return OrderStatus(target) in TRANSITIONS[OrderStatus(current)]
