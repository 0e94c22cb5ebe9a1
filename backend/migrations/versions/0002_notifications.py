"""notification dispatcher state, customer opt-out, feedback requests

Revision ID: 0002
Revises: 0001
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notification_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=20), nullable=False,
                                      server_default='pending'))
        batch_op.create_index('ix_notification_outbox_due', ['state', 'next_attempt_at'],
                              unique=False)
    # Rows an earlier version already delivered keep counting as delivered.
    op.execute("UPDATE notification_outbox SET state = 'delivered' "
               "WHERE delivered_at IS NOT NULL")
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notifications_enabled', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    op.create_table('low_stock_episodes',
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('episode', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sku'], ['inventory.sku'], name=op.f('fk_low_stock_episodes_sku_inventory'), onupdate='CASCADE'),
    sa.PrimaryKeyConstraint('sku', name=op.f('pk_low_stock_episodes'))
    )


def downgrade() -> None:
    op.drop_table('low_stock_episodes')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('notifications_enabled')
    with op.batch_alter_table('notification_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_outbox_due')
        batch_op.drop_column('state')
