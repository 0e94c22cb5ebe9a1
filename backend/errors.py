"""Domain exceptions with stable codes; one handler in main.py turns them into problem+json."""
from __future__ import annotations

from enum import Enum
from typing import Any


class ErrorCode(str, Enum):
    NOT_FOUND = "not_found"
    PRODUCT_NOT_FOUND = "product_not_found"
    ORDER_NOT_FOUND = "order_not_found"
    UNKNOWN_SKU = "unknown_sku"
    ADDRESS_NOT_SERVED = "address_not_served"
    PRODUCT_INACTIVE = "product_inactive"
    INSUFFICIENT_STOCK = "insufficient_stock"
    INVALID_TRANSITION = "invalid_transition"
    ORDER_LOCKED = "order_locked"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    DUPLICATE_SKU = "duplicate_sku"
    VALIDATION_ERROR = "validation_error"
    UNAUTHORIZED = "unauthorized"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    DATABASE_UNAVAILABLE = "database_unavailable"
    TICKET_NOT_FOUND = "ticket_not_found"
    TICKET_NOT_OPEN = "ticket_not_open"
    CUSTOMER_UNREACHABLE = "customer_unreachable"
    NOTIFICATION_NOT_FOUND = "notification_not_found"
    NOTIFICATION_NOT_DEAD = "notification_not_dead"


class DomainError(Exception):
    """Base for business-rule failures. `status` is the HTTP status the handler uses."""

    status = 422
    code = ErrorCode.VALIDATION_ERROR

    def __init__(self, detail: str, **data: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.data = data


class NotFound(DomainError):
    status = 404
    code = ErrorCode.NOT_FOUND

    def __init__(self, detail: str, code: ErrorCode = ErrorCode.NOT_FOUND, **data: Any) -> None:
        super().__init__(detail, **data)
        self.code = code


class UnknownSku(DomainError):
    status = 422
    code = ErrorCode.UNKNOWN_SKU

    def __init__(self, skus: list[str]) -> None:
        super().__init__(f"Unknown or inactive SKU(s): {', '.join(skus)}", skus=skus)


class InsufficientStock(DomainError):
    status = 409
    code = ErrorCode.INSUFFICIENT_STOCK

    def __init__(self, items: list[dict[str, Any]]) -> None:
        parts = [f"{i['sku']} (requested {i['requested']}, available {i['available']})"
                 for i in items]
        super().__init__(f"Not enough stock for: {'; '.join(parts)}", items=items)


class InvalidTransition(DomainError):
    status = 409
    code = ErrorCode.INVALID_TRANSITION

    def __init__(self, current: str, target: str, allowed: list[str]) -> None:
        allowed_text = ", ".join(allowed) if allowed else "none (final state)"
        super().__init__(
            f"An order that is '{current}' cannot become '{target}'. Allowed next: {allowed_text}.",
            current=current, target=target, allowed=allowed,
        )


class NoReturnToWithdraw(DomainError):
    """Only a return still on its way (requested, not yet received) can be withdrawn."""
    status = 409
    code = ErrorCode.INVALID_TRANSITION

    def __init__(self, number: str, current: str) -> None:
        super().__init__(
            f"Order {number} has no return on its way to withdraw: it is '{current}'. "
            "Only a return whose items have not reached us yet can be withdrawn.",
            current=current, target="delivered", allowed=[],
        )


class OrderLocked(DomainError):
    status = 409
    code = ErrorCode.ORDER_LOCKED

    def __init__(self, status: str, what: str) -> None:
        super().__init__(
            f"The {what} can only be changed before the order ships; it is '{status}'.",
            current=status,
        )


class IdempotencyConflict(DomainError):
    status = 409
    code = ErrorCode.IDEMPOTENCY_CONFLICT

    def __init__(self, key: str) -> None:
        super().__init__(
            f"Idempotency-Key '{key}' was already used with a different request body.", key=key
        )


class DuplicateSku(DomainError):
    status = 409
    code = ErrorCode.DUPLICATE_SKU

    def __init__(self, sku: str) -> None:
        super().__init__(f"A product with SKU '{sku}' already exists.", sku=sku)


class InvalidRequest(DomainError):
    status = 422
    code = ErrorCode.VALIDATION_ERROR


class TicketNotOpen(DomainError):
    """Staff wrote on a ticket that is resolved or closed, or has no conversation to answer."""

    status = 409
    code = ErrorCode.TICKET_NOT_OPEN

    def __init__(self, ticket_id: int, why: str) -> None:
        super().__init__(f"Ticket {ticket_id} cannot take messages: {why}.", ticket_id=ticket_id)


class CustomerUnreachable(DomainError):
    """The gateway did not accept a message for the customer; nothing was recorded."""

    status = 502
    code = ErrorCode.CUSTOMER_UNREACHABLE

    def __init__(self, detail: str) -> None:
        super().__init__(f"The message could not be delivered to the customer: {detail}")
