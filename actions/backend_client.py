"""The only place that knows the backend's URLs. Async httpx, short timeouts, plain dataclasses."""
from __future__ import annotations

import asyncio
import logging
import re
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import httpx

from actions.settings import get_settings

logger = logging.getLogger(__name__)


class BackendError(Exception):
    """The backend could not be reached or answered with an unexpected error."""


class NotFound(BackendError):
    """The backend answered 404 for the requested resource."""


class Refused(BackendError):
    """The backend refused a change by a business rule (409); `detail` says why, for the user."""

    def __init__(self, detail: str, code: str = "", items: Optional[List[Dict[str, Any]]] = None):
        super().__init__(detail)
        self.detail = detail
        self.code = code
        # For `insufficient_stock`: [{"sku", "requested", "available"}].
        self.items = list(items or [])


class Invalid(BackendError):
    """The backend refused a request as invalid (422): an unknown SKU, a bad address field."""

    def __init__(self, detail: str, code: str = "", errors: Optional[List[Dict[str, Any]]] = None):
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.errors = list(errors or [])


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    category: str
    price_minor: int
    currency: str
    available: int
    description: str = ""
    attributes: Dict[str, Any] = field(default_factory=dict)
    restock_days: Optional[int] = None  # out of stock: the usual days until it is back
    synonyms: List[str] = field(default_factory=list)  # other names customers use ("manual grinder")

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "Product":
        return cls(
            sku=data["sku"],
            name=data["name"],
            category=data.get("category", ""),
            price_minor=int(data["price_minor"]),
            currency=data.get("currency", "EUR"),
            available=int(data.get("available", 0)),
            description=data.get("description", ""),
            attributes=dict(data.get("attributes") or {}),
            restock_days=data.get("restock_days"),
            synonyms=list(data.get("synonyms") or []),
        )


@dataclass(frozen=True)
class OrderLine:
    sku: str
    name: str
    quantity: int
    unit_price_minor: int
    line_total_minor: int
    return_quantity: int = 0  # being sent back

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "OrderLine":
        return cls(sku=data["sku"], name=data.get("name", data["sku"]), quantity=int(data["quantity"]),
                   unit_price_minor=int(data["unit_price_minor"]),
                   line_total_minor=int(data["line_total_minor"]),
                   return_quantity=int(data.get("return_quantity") or 0))


@dataclass(frozen=True)
class Order:
    number: str
    status: str
    currency: str
    total_minor: int
    carrier: Optional[str]
    tracking_number: Optional[str]
    estimated_delivery: Optional[str]
    refund_status: str
    next_statuses: Tuple[str, ...] = ()
    editable: bool = False
    refund_amount_minor: int = 0
    refund_due_minor: int = 0  # what the items being returned are worth
    refunded_at: Optional[str] = None
    lines: Tuple["OrderLine", ...] = ()
    subtotal_minor: int = 0
    shipping_minor: int = 0
    shipping_address: Optional[Dict[str, Any]] = None
    contact_email: Optional[str] = None
    contact_phone: Optional[str] = None
    return_reason: Optional[str] = None
    cancel_reason: Optional[str] = None
    expires_at: Optional[str] = None  # until when a pending (unconfirmed) order holds its stock

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "Order":
        return cls(
            number=data["number"],
            status=data["status"],
            currency=data.get("currency", "EUR"),
            total_minor=int(data["total_minor"]),
            carrier=data.get("carrier"),
            tracking_number=data.get("tracking_number"),
            estimated_delivery=data.get("estimated_delivery"),
            refund_status=(data.get("refund") or {}).get("status", "none"),
            next_statuses=tuple(data.get("next_statuses") or ()),
            editable=bool(data.get("editable", False)),
            refund_amount_minor=int((data.get("refund") or {}).get("amount_minor") or 0),
            refund_due_minor=int((data.get("refund") or {}).get("due_minor") or 0),
            refunded_at=(data.get("refund") or {}).get("refunded_at"),
            lines=tuple(OrderLine.from_json(line) for line in data.get("lines") or ()),
            subtotal_minor=int(data.get("subtotal_minor", 0)),
            shipping_minor=int(data.get("shipping_minor", 0)),
            shipping_address=data.get("shipping_address"),
            contact_email=data.get("contact_email"),
            contact_phone=data.get("contact_phone"),
            return_reason=data.get("return_reason"),
            cancel_reason=data.get("cancel_reason"),
            expires_at=data.get("expires_at"),
        )

    @property
    def cancellable(self) -> bool:
        return "cancelled" in self.next_statuses

    @property
    def returnable(self) -> bool:
        return "return_requested" in self.next_statuses

    @property
    def adds_to_return(self) -> bool:
        """Its return is on the way and more of it could join it (the backend adds them)."""
        return self.status == "return_requested" and any(
            line.return_quantity < line.quantity for line in self.lines)

    def left_to_return(self) -> List[Dict[str, Any]]:
        """The units not being returned yet, as order lines."""
        return [{"sku": line.sku, "name": line.name, "quantity": line.quantity - line.return_quantity,
                 "unit_price_minor": line.unit_price_minor}
                for line in self.lines if line.quantity > line.return_quantity]

    def returning(self) -> List[Dict[str, Any]]:
        """The items being sent back, as {"sku", "name", "quantity"}."""
        return [{"sku": line.sku, "name": line.name, "quantity": line.return_quantity}
                for line in self.lines if line.return_quantity]


@dataclass(frozen=True)
class Ticket:
    id: int
    already_open: bool  # the customer's open ticket for the same problem, not a new one


@dataclass(frozen=True)
class Category:
    name: str
    count: int


# One pooled client per event loop (the action server runs one loop for its life): building an
# httpx client costs ~20 ms (its TLS context) and a fresh one would open a new connection per turn.
# Idle connections are dropped before uvicorn's 5 s keep-alive would close them under us.
_POOLS: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Dict[Tuple[str, str], httpx.AsyncClient]]" = (
    weakref.WeakKeyDictionary())
_LIMITS = httpx.Limits(max_connections=50, max_keepalive_connections=20, keepalive_expiry=4.0)


def _pooled_client(base_url: str, token: str, timeout: float) -> httpx.AsyncClient:
    pools = _POOLS.setdefault(asyncio.get_running_loop(), {})
    client = pools.get((base_url, token))
    if client is None or client.is_closed:
        client = pools[(base_url, token)] = httpx.AsyncClient(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout,
            limits=_LIMITS)
    return client


class BackendClient:
    """Talks to the backend's /api/v1 on behalf of one channel identity (the Rasa sender id)."""

    def __init__(self, identity: Optional[str] = None, transport: Optional[httpx.AsyncBaseTransport] = None):
        settings = get_settings()
        base_url = f"{settings.backend_url}/api/v1"
        self._headers = {"X-Channel-Identity": identity} if identity else {}
        self._owned = transport is not None
        if self._owned:  # a test's transport: a client of its own, closed on exit
            self._client = httpx.AsyncClient(
                base_url=base_url, headers={"Authorization": f"Bearer {settings.bot_api_token}"},
                timeout=settings.backend_timeout_seconds, transport=transport)
        else:
            self._client = _pooled_client(base_url, settings.bot_api_token,
                                          settings.backend_timeout_seconds)

    async def __aenter__(self) -> "BackendClient":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        if self._owned:
            await self._client.aclose()

    async def _get(self, path: str, params: Optional[Dict[str, Any]] = None) -> Any:
        # GETs are idempotent: one retry absorbs a dropped connection.
        for attempt in (1, 2):
            try:
                response = await self._client.get(path, params=params, headers=self._headers)
            except httpx.TransportError as error:
                if attempt == 2:
                    raise BackendError(f"GET {path} failed: {error!r}") from error
                continue
            return self._json(response, f"GET {path}")
        raise AssertionError("unreachable")

    async def _post(self, path: str, body: Dict[str, Any], headers: Optional[Dict[str, str]] = None) -> Any:
        # Not retried (unless the caller sends an Idempotency-Key): a POST that timed out may have
        # been applied.
        attempts = (1, 2) if headers and "Idempotency-Key" in headers else (2,)
        for attempt in attempts:
            try:
                response = await self._client.post(path, json=body, headers={**self._headers, **(headers or {})})
            except httpx.TransportError as error:
                if attempt == 2:
                    raise BackendError(f"POST {path} failed: {error!r}") from error
                continue
            return self._json(response, f"POST {path}")
        raise AssertionError("unreachable")

    async def _put(self, path: str, body: Dict[str, Any]) -> Any:
        # A PUT replaces a whole value, so sending it twice is harmless: one retry.
        for attempt in (1, 2):
            try:
                response = await self._client.put(path, json=body, headers=self._headers)
            except httpx.TransportError as error:
                if attempt == 2:
                    raise BackendError(f"PUT {path} failed: {error!r}") from error
                continue
            return self._json(response, f"PUT {path}")
        raise AssertionError("unreachable")

    async def _patch(self, path: str, body: Dict[str, Any]) -> Any:
        try:
            response = await self._client.patch(path, json=body, headers=self._headers)
        except httpx.TransportError as error:
            raise BackendError(f"PATCH {path} failed: {error!r}") from error
        return self._json(response, f"PATCH {path}")

    @staticmethod
    def _json(response: httpx.Response, what: str) -> Any:
        if response.status_code == 404:
            raise NotFound(f"{what}: not found")
        if response.status_code == 409:
            problem = response.json()
            raise Refused(problem.get("detail", "not allowed"), problem.get("code", ""), problem.get("items"))
        if response.status_code == 422:
            problem = response.json()
            raise Invalid(problem.get("detail", "invalid"), problem.get("code", ""), problem.get("errors"))
        if response.status_code >= 400:
            raise BackendError(f"{what}: HTTP {response.status_code} {response.text[:200]}")
        return response.json()

    async def search_products(self, query: str = "", category: str = "", limit: int = 5) -> List[Product]:
        params: Dict[str, Any] = {"limit": limit}
        if query:
            params["q"] = query
        if category:
            params["category"] = category
        return (await self._products(params))[0]

    async def products_in(self, category: str, limit: int,
                          max_price_minor: Optional[int] = None) -> Tuple[List[Product], int]:
        """Up to `limit` products of a category (all categories: ""), at most `max_price_minor`
        each if given, and how many there are in all."""
        params: Dict[str, Any] = {"limit": limit}
        if category:
            params["category"] = category
        if max_price_minor is not None:
            params["max_price"] = max_price_minor
        return await self._products(params)

    async def _products(self, params: Dict[str, Any]) -> Tuple[List[Product], int]:
        body = await self._get("/products", params)
        return [Product.from_json(item) for item in body["data"]], int(body["count"])

    async def get_product(self, sku: str) -> Product:
        return Product.from_json(await self._get(f"/products/{sku}"))

    async def create_order(
        self, lines: List[Dict[str, Any]], shipping_address: Dict[str, Any],
        contact_email: Optional[str], contact_phone: Optional[str], idempotency_key: str,
    ) -> Order:
        """A pending order (stock reserved); the same key and body again return the same order."""
        body = {"lines": lines, "shipping_address": shipping_address,
                "contact_email": contact_email, "contact_phone": contact_phone}
        return Order.from_json(await self._post("/orders", body, headers={"Idempotency-Key": idempotency_key}))

    async def confirm_order(self, number: str) -> Order:
        return Order.from_json(await self._post(f"/orders/{number}/confirm", {}))

    async def get_order(self, number: str, contact: Optional[str] = None) -> Order:
        """The identity's own order, or anyone's when `contact` matches the email or phone on it."""
        params: Dict[str, Any] = {}
        if contact:
            params["email" if "@" in contact else "phone"] = contact
        try:
            return Order.from_json(await self._get(f"/orders/{number}", params))
        except NotFound:
            if not number.isdigit() or contact:
                raise
            return await self._own_order_ending_in(number)

    async def _own_order_ending_in(self, digits: str) -> Order:
        """"my order 3403" for OB-D0003403: the customer's one order whose number ends in those
        digits (leading zeros aside); NotFound when none or several do."""
        ending = [order for order in await self.list_orders(limit=100)
                  if re.sub(r"\D", "", order.number).lstrip("0").endswith(digits.lstrip("0"))]
        if len(ending) != 1:
            raise NotFound(f"no single order of this customer ends in {digits}")
        return ending[0]

    async def get_last_order(self) -> Optional[Order]:
        try:
            return Order.from_json(await self._get("/orders/last"))
        except NotFound:
            return None

    async def list_orders(self, limit: int = 20) -> List[Order]:
        """The identity's orders, newest first."""
        return [Order.from_json(order) for order in (await self._get("/orders", {"limit": limit}))["data"]]

    async def get_order_or_last(
        self, number: Optional[str], skus: Sequence[str] = (),
        usable: Optional[Callable[[Order], bool]] = None,
    ) -> Optional[Order]:
        """The order the customer named; else their newest order holding a product they named
        ("cancel the french press order": `skus`), an open one first; else their newest `usable`
        one ("return my order" means the delivered one, not the one placed since); else their
        last one (None when they have none)."""
        if number:
            return await self.get_order(number)
        if not skus and usable is None:
            return await self.get_last_order()
        orders = await self.list_orders()
        holding = [order for order in orders if {line.sku for line in order.lines} & set(skus)]
        # stable, so newest first: one the flow can act on, then an open one
        holding.sort(key=lambda order: (not (usable is None or usable(order)), order.status in ("cancelled", "expired")))
        if holding:
            return holding[0]
        preferred = next((order for order in orders if usable and usable(order)), None)
        return preferred or await self.get_last_order()

    async def cancel_order(self, number: str, reason: str = "cancelled by the customer in chat") -> Order:
        return Order.from_json(await self._post(f"/orders/{number}/cancel", {"reason": reason}))

    async def open_ticket(
        self, reason: str, conversation_id: str, transcript: List[Dict[str, Any]],
        order_number: Optional[str] = None, any_open: bool = False, contact: Optional[str] = None,
    ) -> Ticket:
        """A new ticket, or the open one for the same problem (any open one with `any_open`);
        `contact`, the email or phone on another customer's order, links that order too."""
        body = {"reason": reason, "conversation_id": conversation_id, "transcript": transcript,
                "order_number": order_number, "any_open": any_open}
        if contact:
            body["email" if "@" in contact else "phone"] = contact
        ticket = await self._post("/tickets", body)
        return Ticket(id=int(ticket["id"]), already_open=bool(ticket.get("already_open")))

    async def list_categories(self) -> List[Category]:
        body = await self._get("/categories")
        return [Category(name=item["name"], count=int(item["count"])) for item in body["data"]]

    async def change_items(self, number: str, lines: List[Dict[str, Any]]) -> Order:
        """Replaces the order's lines with `lines` ([{"sku", "quantity"}]), while it is editable."""
        return Order.from_json(await self._put(f"/orders/{number}/items", {"lines": lines}))

    async def change_address(self, number: str, address: Dict[str, Any]) -> Order:
        return Order.from_json(await self._put(f"/orders/{number}/address", {"shipping_address": address}))

    async def change_contact(self, number: str, contact: Dict[str, str]) -> Order:
        """`contact`: {"contact_email"} and/or {"contact_phone"}; what is left out stays."""
        return Order.from_json(await self._patch(f"/orders/{number}/contact", contact))

    async def request_return(self, number: str, reason: str,
                             items: Optional[List[Dict[str, Any]]] = None) -> Order:
        """`items` ({"sku", "quantity"}) go back; None sends the whole order back."""
        body: Dict[str, Any] = {"reason": reason[:500]}
        if items is not None:
            body["lines"] = [{"sku": item["sku"], "quantity": int(item["quantity"])} for item in items]
        return Order.from_json(await self._post(f"/orders/{number}/return", body))

    async def withdraw_return(self, number: str) -> Order:
        """The return on its way is withdrawn: nothing goes back, the order is delivered again."""
        return Order.from_json(await self._post(f"/orders/{number}/return/withdraw", {}))

    async def create_feedback(self, rating: int, conversation_id: str, order_number: Optional[str] = None,
                              comment: str = "") -> int:
        body = {"rating": rating, "comment": comment, "conversation_id": conversation_id,
                "order_number": order_number}
        return int((await self._post("/feedback", body))["id"])

    async def add_feedback_comment(self, feedback_id: int, comment: str) -> None:
        await self._patch(f"/feedback/{feedback_id}", {"comment": comment[:2000]})

    async def correct_rating(self, feedback_id: int, rating: int) -> None:
        await self._patch(f"/feedback/{feedback_id}", {"rating": rating})

    async def set_notifications(self, enabled: bool) -> bool:
        body = await self._put("/me/notifications", {"enabled": enabled})
        return bool(body.get("enabled", enabled))


async def order_or_none(sender_id: str, number: str, what: str) -> Optional[Order]:
    """The order (as `sender_id` may see it), or None when the backend can't say (logged as
    reading `what`): for answers that go on without it."""
    try:
        async with BackendClient(sender_id) as backend:
            return await backend.get_order(number)
    except BackendError as error:
        logger.warning("reading %s failed: %s", what, error)
        return None
