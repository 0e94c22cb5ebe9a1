"""Which orders (or order lines) a report looks at, and the group key of each."""
from __future__ import annotations

from sqlalchemy import exists, literal, literal_column, select
from sqlalchemy.sql import ColumnElement, FromClause

from backend.catalog.models import Product
from backend.orders.models import Order, OrderLine
from backend.orders.status import OrderStatus as S
from backend.reports.filters import ReportFilters
from backend.reports.sql import Sql, in_range

orders = Order.__table__
lines = OrderLine.__table__
products = Product.__table__

SHIPPED_OR_LATER = (S.SHIPPED, S.DELIVERED, S.RETURN_REQUESTED, S.RETURNED, S.REFUNDED)
DELIVERED_OR_LATER = (S.DELIVERED, S.RETURN_REQUESTED, S.RETURNED, S.REFUNDED)
RETURN_STATUSES = (S.RETURN_REQUESTED, S.RETURNED, S.REFUNDED)
LINE_GROUPS = ("product", "category")


def sku_conditions(f: ReportFilters, sku: ColumnElement) -> list[ColumnElement]:
    """The SKU and category filters on a `sku` column of a query that joins products."""
    conditions = []
    if f.sku:
        conditions.append(sku == f.sku)
    if f.category:
        conditions.append(products.c.category == f.category)
    return conditions


def line_conditions(f: ReportFilters) -> list[ColumnElement]:
    """Conditions on order_lines (l) joined with products (p)."""
    return sku_conditions(f, lines.c.sku)


def order_conditions(f: ReportFilters) -> list[ColumnElement]:
    """Orders created in the range, past `pending`, of the channel, holding the SKU/category."""
    conditions = [in_range(orders.c.created_at, f), orders.c.status != S.PENDING]
    if f.channel:
        conditions.append(orders.c.channel == f.channel)
    if f.sku or f.category:
        has_line = select(literal(1)).select_from(
            lines.join(products, products.c.sku == lines.c.sku)
        ).where(lines.c.order_id == orders.c.id, *line_conditions(f))
        conditions.append(exists(has_line))
    return conditions


# The key of 'none' groupings. PostgreSQL refuses a constant in GROUP BY, so use `grouping()`.
ALL_KEY = literal_column("'all'")


def grouping(*columns) -> list:
    """GROUP BY columns without the constant key."""
    return [c for c in columns if c is not ALL_KEY]


def order_key(sql: Sql, f: ReportFilters) -> ColumnElement:
    """Group key of an order for day/week/channel groupings (constant for 'none')."""
    if f.group_by in ("day", "week"):
        return sql.period(orders.c.created_at, f.group_by)
    if f.group_by == "channel":
        return orders.c.channel
    return ALL_KEY


def line_key(f: ReportFilters) -> ColumnElement:
    return lines.c.sku if f.group_by == "product" else products.c.category


def keyed_orders(sql: Sql, f: ReportFilters) -> tuple[FromClause, ColumnElement]:
    """FROM clause and key giving each (order, key) pair once.

    For product/category groupings an order with two mugs and a teapot belongs once to
    'Mugs' and once to 'Teaware', never twice to 'Mugs'.
    """
    if f.group_by not in LINE_GROUPS:
        return orders, order_key(sql, f)
    pairs = select(lines.c.order_id, line_key(f).label("key")).distinct().select_from(
        lines.join(products, products.c.sku == lines.c.sku)).where(*line_conditions(f)).subquery()
    return orders.join(pairs, pairs.c.order_id == orders.c.id), pairs.c.key


def base_order_conditions(f: ReportFilters) -> list[ColumnElement]:
    """order_conditions without the SKU/category part (for queries that join the lines)."""
    return order_conditions(ReportFilters(start=f.start, end=f.end, channel=f.channel))


def scoped_order_conditions(f: ReportFilters) -> list[ColumnElement]:
    """order_conditions, minus the product EXISTS when keyed_orders already joins the lines."""
    return base_order_conditions(f) if f.group_by in LINE_GROUPS else order_conditions(f)
