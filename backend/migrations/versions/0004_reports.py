"""indexes and tables for reports and forecasting

Revision ID: 0004
Revises: 0003
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# Indexes the staff reports (backend/reports) need. Most are covering: the report reads only
# the indexed columns, so SQLite and PostgreSQL can answer from the index alone.
INDEXES = [
    # Orders of a date range, sliced by status/channel (sales, cancellations, summary).
    ('ix_orders_report', 'orders', ['created_at', 'status', 'channel', 'id']),
    # Lines of those orders with what sales sums (covering).
    ('ix_order_lines_report', 'order_lines',
     ['order_id', 'sku', 'quantity', 'line_total_minor']),
    # Status changes per order in time order (fulfilment: milestones, time in each status).
    ('ix_order_events_report', 'order_events',
     ['order_id', 'created_at', 'id', 'to_status', 'from_status']),
    # The stock ledger by day (inventory positions; covering).
    ('ix_stock_movements_report', 'stock_movements',
     ['created_at', 'sku', 'kind', 'on_hand_delta', 'reserved_delta']),
    # The ledger per SKU in time order (inventory: a SKU's first movement; covering).
    ('ix_stock_movements_sku_created_at', 'stock_movements',
     ['sku', 'created_at', 'kind', 'on_hand_delta', 'reserved_delta']),
    ('ix_support_tickets_created_at', 'support_tickets', ['created_at']),
    ('ix_support_tickets_updated_at', 'support_tickets', ['updated_at']),
    ('ix_feedback_report', 'feedback', ['created_at', 'channel', 'rating']),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
