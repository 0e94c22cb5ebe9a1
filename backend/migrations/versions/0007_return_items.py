"""return items: each order line records how many of it the customer sends back

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

RETURN_STATUSES = ('return_requested', 'returned', 'refunded')


def upgrade() -> None:
    # Batch mode: SQLite adds a CHECK constraint only by rebuilding the table.
    with op.batch_alter_table('order_lines') as batch:
        batch.add_column(sa.Column('return_quantity', sa.Integer(), server_default=sa.text('0'),
                                   nullable=False))
        batch.create_check_constraint(op.f('ck_order_lines_return_quantity_in_range'),
                                      'return_quantity >= 0 AND return_quantity <= quantity')
    # Returns before this revision covered whole orders.
    statuses = ", ".join(f"'{status}'" for status in RETURN_STATUSES)
    op.execute(sa.text("UPDATE order_lines SET return_quantity = quantity WHERE order_id IN "
                       f"(SELECT id FROM orders WHERE status IN ({statuses}))"))


def downgrade() -> None:
    with op.batch_alter_table('order_lines') as batch:
        batch.drop_constraint(op.f('ck_order_lines_return_quantity_in_range'), type_='check')
        batch.drop_column('return_quantity')
