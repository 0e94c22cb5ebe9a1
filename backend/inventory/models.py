"""Stock per SKU and the ledger that explains every change to it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.base import Base, utcnow


class MovementKind:
    RECEIPT = "receipt"          # on_hand +q
    RESERVATION = "reservation"  # reserved +q
    RELEASE = "release"          # reserved -q
    SHIPMENT = "shipment"        # on_hand -q, reserved -q
    ADJUSTMENT = "adjustment"    # on_hand +/-q (stock count corrections)
    RETURN = "return"            # on_hand +q


class Inventory(Base):
    __tablename__ = "inventory"
    # The database refuses impossible stock even if a code path forgets to check.
    __table_args__ = (
        CheckConstraint("reserved >= 0", name="reserved_non_negative"),
        CheckConstraint("on_hand >= reserved", name="on_hand_covers_reserved"),
    )

    sku: Mapped[str] = mapped_column(
        String(64), ForeignKey("products.sku", onupdate="CASCADE"), primary_key=True
    )
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=5)
    reorder_lead_days: Mapped[int] = mapped_column(Integer, default=7)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StockMovement(Base):
    __tablename__ = "stock_movements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Indexed by ix_stock_movements_sku_created_at (migration 0004), which starts with sku.
    sku: Mapped[str] = mapped_column(String(64), ForeignKey("inventory.sku"))
    kind: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    # Signed deltas make the ledger self-checking: sums must equal the inventory row.
    on_hand_delta: Mapped[int] = mapped_column(Integer, default=0)
    reserved_delta: Mapped[int] = mapped_column(Integer, default=0)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
