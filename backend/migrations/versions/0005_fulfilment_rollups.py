"""fulfilment rollups: status stays and milestones per order, backfilled from order_events

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

from backend.reports.rollups import rebuild_statements

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('order_status_stays',
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ordered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_status_stays_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('order_id', 'state', name=op.f('pk_order_status_stays')),
    sqlite_with_rowid=False
    )
    op.create_table('order_milestones',
    sa.Column('order_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('ordered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('to_ship_hours', sa.Float(), nullable=True),
    sa.Column('cycle_hours', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_milestones_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_order_milestones'))
    )
    op.create_index('ix_order_status_stays_report', 'order_status_stays',
                    ['state', 'hours', 'ordered_at', 'channel'], unique=False)
    op.create_index('ix_order_milestones_to_ship', 'order_milestones',
                    ['to_ship_hours', 'ordered_at', 'channel'], unique=False)
    op.create_index('ix_order_milestones_cycle', 'order_milestones',
                    ['cycle_hours', 'ordered_at', 'channel'], unique=False)
    # Existing history: the same statements the app uses to rebuild the rollups (they name
    # their columns, so a later migration adding a column to these tables keeps this working).
    bind = op.get_bind()
    for statement in rebuild_statements(bind.dialect.name):
        bind.execute(statement)


def downgrade() -> None:
    op.drop_index('ix_order_milestones_cycle', table_name='order_milestones')
    op.drop_index('ix_order_milestones_to_ship', table_name='order_milestones')
    op.drop_index('ix_order_status_stays_report', table_name='order_status_stays')
    op.drop_table('order_milestones')
    op.drop_table('order_status_stays')
