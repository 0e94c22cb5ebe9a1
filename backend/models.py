"""Imports every model so Base.metadata is complete (Alembic and tests rely on it)."""
from backend.catalog.models import Product
from backend.core.base import Base
from backend.customers.models import ChannelIdentity, Customer
from backend.inventory.models import Inventory, StockMovement
from backend.orders.models import IdempotencyKey, Order, OrderEvent, OrderLine
from backend.notifications.models import LowStockEpisode
from backend.outbox.models import Notification
from backend.reports.models import OrderMilestones, OrderStatusStay
from backend.support.models import Feedback, SupportTicket, TicketMessage

__all__ = [
    "Base", "ChannelIdentity", "Customer", "Feedback", "IdempotencyKey", "Inventory",
    "LowStockEpisode", "Notification", "Order", "OrderEvent", "OrderLine", "OrderMilestones",
    "OrderStatusStay", "Product", "StockMovement",
    "SupportTicket", "TicketMessage",
]
