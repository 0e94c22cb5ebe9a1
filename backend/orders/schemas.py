"""Request and response shapes for orders."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from backend.orders.status import OrderStatus

SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,24}$"
PHONE_PATTERN = r"^\+?[0-9][0-9 ().-]{5,24}$"


class Strict(BaseModel):
    # Unknown fields are refused so a typo in the bot never silently drops data.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LineIn(Strict):
    sku: str = Field(pattern=SKU_PATTERN, examples=["MUG-CER-RED"])
    # The configured MAX_LINE_QUANTITY is checked by the service; this is a hard ceiling.
    quantity: int = Field(ge=1, le=10_000, examples=[2])


class Address(Strict):
    name: str = Field(min_length=1, max_length=100, examples=["Ada Lovelace"])
    line1: str = Field(min_length=1, max_length=200, examples=["12 Market Street"])
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(min_length=1, max_length=100, examples=["Dublin"])
    region: str | None = Field(default=None, max_length=100)
    postal_code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$", examples=["D02 X285"])
    country: str = Field(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2",
                         examples=["IE"])

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class Contact(Strict):
    contact_email: str | None = Field(default=None, pattern=EMAIL_PATTERN, max_length=254)
    contact_phone: str | None = Field(default=None, pattern=PHONE_PATTERN)


class OrderCreate(Contact):
    lines: list[LineIn] = Field(min_length=1, max_length=500)
    shipping_address: Address

    @model_validator(mode="after")
    def _needs_contact(self) -> OrderCreate:
        if not (self.contact_email or self.contact_phone):
            raise ValueError("give contact_email or contact_phone so we can reach you")
        return self


class ItemsUpdate(Strict):
    lines: list[LineIn] = Field(min_length=1, max_length=500)


class AddressUpdate(Strict):
    shipping_address: Address


class ContactUpdate(Contact):
    """The order's new email and/or phone; a field left out keeps its value."""

    @model_validator(mode="after")
    def _something_to_change(self) -> ContactUpdate:
        if not (self.contact_email or self.contact_phone):
            raise ValueError("give contact_email or contact_phone")
        return self


class CancelRequest(Strict):
    reason: str | None = Field(default=None, max_length=500)


class ReturnRequest(Strict):
    reason: str = Field(min_length=1, max_length=500)
    lines: list[LineIn] | None = Field(
        default=None, min_length=1, max_length=500,
        description="the items sent back and how many of each; omitted: the whole order")


class StaffTransition(Strict):
    status: OrderStatus
    carrier: str | None = Field(default=None, max_length=100)
    tracking_number: str | None = Field(default=None, max_length=100)
    estimated_delivery: date | None = None
    refund_minor: int | None = Field(default=None, ge=0,
                                     description="defaults to the returned items' worth")
    note: str | None = Field(default=None, max_length=500)


class LinePublic(BaseModel):
    sku: str
    name: str
    unit_price_minor: int
    quantity: int
    line_total_minor: int
    return_quantity: int = Field(description="how many of these are being sent back")


class RefundPublic(BaseModel):
    status: str = Field(description="none | return_requested | return_received | refunded")
    due_minor: int = Field(description="what the returned items are worth: the whole total "
                           "when everything goes back, else their price without shipping")
    amount_minor: int = Field(description="refunded so far")
    refunded_at: datetime | None


class OrderPublic(BaseModel):
    number: str
    status: OrderStatus
    channel: str
    currency: str
    lines: list[LinePublic]
    subtotal_minor: int
    shipping_minor: int
    total_minor: int
    shipping_address: dict
    contact_email: str | None
    contact_phone: str | None
    carrier: str | None
    tracking_number: str | None
    estimated_delivery: date | None
    cancel_reason: str | None
    return_reason: str | None
    refund: RefundPublic
    next_statuses: list[str]
    editable: bool = Field(description="items and address can still change")
    expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


class OrdersPublic(BaseModel):
    data: list[OrderPublic]
    count: int


class OrderEventPublic(BaseModel):
    kind: str
    from_status: str | None
    to_status: str | None
    actor: str
    channel: str | None
    detail: dict
    created_at: datetime
