"""State the dispatcher's periodic scans keep between runs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.base import Base, utcnow


class LowStockEpisode(Base):
    """One row per SKU: `episode` counts the times it fell below its threshold, `active` says it
    is below now. The alert's dedupe key carries the episode, so a SKU alerts once per dip."""

    __tablename__ = "low_stock_episodes"

    sku: Mapped[str] = mapped_column(
        String(64), ForeignKey("inventory.sku", onupdate="CASCADE"), primary_key=True)
    episode: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
