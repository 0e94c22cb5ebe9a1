"""order placement: PostgreSQL places an order in one function call; redundant indexes go

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# Indexes another index already serves (named after each): every query that could use one
# uses the other, and each index is one more B-tree every new order writes.
REDUNDANT_INDEXES = [
    ('ix_orders_created_at', 'orders', ['created_at']),                  # ix_orders_report
    ('ix_order_lines_order_id', 'order_lines', ['order_id']),            # ix_order_lines_report
    ('ix_order_events_order_id', 'order_events', ['order_id']),          # ix_order_events_report
    ('ix_stock_movements_sku', 'stock_movements', ['sku']),  # ix_stock_movements_sku_created_at
    # The dispatcher's only query on it filters on state too: ix_notification_outbox_due.
    ('ix_notification_outbox_next_attempt_at', 'notification_outbox', ['next_attempt_at']),
]

# The PostgreSQL side of backend/orders/placement_pg.py: the whole order in one statement, so
# one round trip instead of eight (each costs CPU in both processes, and row locks on popular
# products are held only for the reservation at the end). It runs the same SQL as the
# Python use case (backend/orders/service.py) and answers with one of:
#   {"placed": {"order_id", "lines", "subtotal_minor", "shipping_minor", "total_minor"}}
#   {"new_identity": true}                    the caller creates the customer, then retries
#   {"replay": {"order_id", "request_hash"}}  the Idempotency-Key already placed an order
#   {"unknown_skus": [...]}                   nothing was written
# and raises SQLSTATE OB409 with the short items as DETAIL when stock is short: the error
# undoes everything the call wrote. Input `p`: channel, external_id, key, request_hash, skus
# and quantities (sorted by SKU), the order's number, currency, address, contact, now,
# expires_at, the shipping rule (free_shipping_from_minor, shipping_fee_minor), actor and
# delay_ms (the race-test hook of backend/inventory/allocation.py).
PLACE_ORDER_FUNCTION = r"""
CREATE OR REPLACE FUNCTION orderbot_place_order(p jsonb) RETURNS jsonb
LANGUAGE plpgsql
-- The statements' plans depend on no value worth re-planning for; left to choose, PL/pgSQL
-- kept custom plans and planned every statement on every call (a fifth of its CPU).
SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
    v_now timestamptz := (p->>'now')::timestamptz;
    v_skus text[] := ARRAY(SELECT jsonb_array_elements_text(p->'skus'));
    v_quantities int[] := ARRAY(SELECT (jsonb_array_elements_text(p->'quantities'))::int);
    v_identity_id int;
    v_customer_id int;
    v_replay_order_id int;
    v_replay_hash text;
    v_lines jsonb;
    v_unknown jsonb;
    v_subtotal bigint;
    v_shipping bigint;
    v_order_id int;
    v_reserved text[];
    v_short jsonb;
BEGIN
    SELECT i.id, i.customer_id, k.order_id, k.request_hash
      INTO v_identity_id, v_customer_id, v_replay_order_id, v_replay_hash
      FROM channel_identities i
      LEFT JOIN idempotency_keys k ON k.customer_id = i.customer_id AND k.key = p->>'key'
     WHERE i.channel = p->>'channel' AND i.external_id = p->>'external_id';
    IF v_identity_id IS NULL THEN
        RETURN jsonb_build_object('new_identity', true);
    END IF;
    IF v_replay_order_id IS NOT NULL THEN
        RETURN jsonb_build_object('replay', jsonb_build_object(
            'order_id', v_replay_order_id, 'request_hash', v_replay_hash));
    END IF;

    SELECT jsonb_agg(jsonb_build_object(
               'sku', w.sku, 'name', pr.name, 'unit_price_minor', pr.price_minor,
               'quantity', w.quantity, 'line_total_minor', pr.price_minor * w.quantity)
               ORDER BY w.sku) FILTER (WHERE pr.sku IS NOT NULL),
           jsonb_agg(w.sku ORDER BY w.sku) FILTER (WHERE pr.sku IS NULL),
           sum(pr.price_minor * w.quantity)
      INTO v_lines, v_unknown, v_subtotal
      FROM unnest(v_skus, v_quantities) AS w(sku, quantity)
      LEFT JOIN products pr ON pr.sku = w.sku AND pr.active;
    IF v_unknown IS NOT NULL THEN
        RETURN jsonb_build_object('unknown_skus', v_unknown);
    END IF;
    v_shipping := CASE WHEN v_subtotal >= (p->>'free_shipping_from_minor')::bigint THEN 0
                       ELSE (p->>'shipping_fee_minor')::bigint END;

    INSERT INTO orders (number, customer_id, identity_id, channel, status, currency,
                        subtotal_minor, shipping_minor, total_minor, refunded_minor,
                        shipping_address, contact_email, contact_phone, expires_at,
                        created_at, updated_at)
    VALUES (p->>'number', v_customer_id, v_identity_id, p->>'channel', 'pending',
            p->>'currency', v_subtotal, v_shipping, v_subtotal + v_shipping, 0,
            (p->'shipping_address')::json, p->>'contact_email', p->>'contact_phone',
            (p->>'expires_at')::timestamptz, v_now, v_now)
    RETURNING id INTO v_order_id;
    INSERT INTO order_lines (order_id, sku, name, unit_price_minor, quantity, line_total_minor)
    SELECT v_order_id, l.sku, l.name, l.unit_price_minor, l.quantity, l.line_total_minor
      FROM jsonb_to_recordset(v_lines) AS l(sku text, name text, unit_price_minor bigint,
                                            quantity int, line_total_minor bigint);
    IF p->>'key' IS NOT NULL THEN
        INSERT INTO idempotency_keys (customer_id, key, request_hash, order_id, created_at)
        VALUES (v_customer_id, p->>'key', p->>'request_hash', v_order_id, v_now);
    END IF;
    INSERT INTO order_events (order_id, kind, from_status, to_status, actor, channel, detail,
                              created_at)
    VALUES (v_order_id, 'created', NULL, 'pending', p->>'actor', p->>'channel',
            json_build_object('lines', jsonb_array_length(v_lines),
                              'total_minor', v_subtotal + v_shipping), v_now);
    -- The payload of backend/orders/service.py's _payload for a new order.
    INSERT INTO notification_outbox (order_id, customer_id, channel, recipient, kind, payload,
                                     dedupe_key, state, attempts, next_attempt_at, created_at)
    VALUES (v_order_id, v_customer_id, p->>'channel', (p->>'channel') || ':' || (p->>'external_id'),
            'order_pending',
            json_build_object('number', p->>'number', 'status', 'pending',
                              'total_minor', v_subtotal + v_shipping,
                              'currency', p->>'currency', 'carrier', NULL,
                              'tracking_number', NULL, 'estimated_delivery', NULL),
            'order:' || (p->>'number') || ':pending', 'pending', 0, v_now, v_now);

    -- Stock last, right before the commit: one conditional UPDATE, rows locked in SKU order.
    IF (p->>'delay_ms')::int > 0 THEN
        PERFORM sku, on_hand - reserved FROM inventory WHERE sku = ANY(v_skus);
        PERFORM pg_sleep((p->>'delay_ms')::int / 1000.0);
    END IF;
    WITH wanted AS (
        SELECT * FROM unnest(v_skus, v_quantities) AS w(sku, quantity)
    ), locked AS MATERIALIZED (
        SELECT sku FROM inventory WHERE sku = ANY(v_skus) ORDER BY sku FOR UPDATE
    ), reserved AS (
        UPDATE inventory i SET reserved = i.reserved + w.quantity, updated_at = v_now
          FROM wanted w, locked l
         WHERE i.sku = w.sku AND l.sku = w.sku AND i.on_hand - i.reserved >= w.quantity
        RETURNING i.sku, w.quantity
    ), ledger AS (
        INSERT INTO stock_movements (sku, kind, quantity, on_hand_delta, reserved_delta,
                                     order_id, note, created_at)
        SELECT sku, 'reservation', quantity, 0, quantity, v_order_id, '', v_now FROM reserved
    )
    SELECT ARRAY(SELECT sku FROM reserved) INTO v_reserved;
    IF cardinality(v_reserved) < cardinality(v_skus) THEN
        SELECT jsonb_agg(jsonb_build_object(
                   'sku', w.sku, 'requested', w.quantity,
                   'available', GREATEST(COALESCE(i.on_hand - i.reserved, 0), 0)) ORDER BY w.sku)
          INTO v_short
          FROM unnest(v_skus, v_quantities) AS w(sku, quantity)
          LEFT JOIN inventory i ON i.sku = w.sku
         WHERE w.sku <> ALL(v_reserved);
        RAISE EXCEPTION 'insufficient stock' USING ERRCODE = 'OB409', DETAIL = v_short::text;
    END IF;

    RETURN jsonb_build_object('placed', jsonb_build_object(
        'order_id', v_order_id, 'lines', v_lines, 'subtotal_minor', v_subtotal,
        'shipping_minor', v_shipping, 'total_minor', v_subtotal + v_shipping));
END
$fn$;
"""


def upgrade() -> None:
    for name, table, _columns in REDUNDANT_INDEXES:
        op.drop_index(name, table_name=table)
    if op.get_bind().dialect.name == "postgresql":
        op.get_bind().exec_driver_sql(PLACE_ORDER_FUNCTION)  # raw: the body has colons


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS orderbot_place_order(jsonb)")
    for name, table, columns in reversed(REDUNDANT_INDEXES):
        op.create_index(name, table, columns, unique=False)
