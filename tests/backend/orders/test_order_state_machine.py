"""Property-based test of the transition table against a real server (hypothesis stateful)."""
from __future__ import annotations

import uuid

import httpx
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import (Bundle, RuleBasedStateMachine, initialize, invariant, rule,
                                 run_state_machine_as_test)

from backend.orders.status import LIVE_STATUSES, TRANSITIONS, OrderStatus
from tests.backend.factories import STAFF, bot, order_body, product_body

STOCK = 40
CUSTOMER_ROUTES = {OrderStatus.CONFIRMED: "confirm", OrderStatus.CANCELLED: "cancel",
                   OrderStatus.RETURN_REQUESTED: "return"}


class OrderLifecycle(RuleBasedStateMachine):
    base_url = ""
    orders = Bundle("orders")

    @initialize()
    def open_shop(self):
        self.http = httpx.Client(base_url=self.base_url, timeout=30)
        self.who = f"api:{uuid.uuid4().hex}"
        body = product_body(stock=STOCK)
        assert self.http.post("/api/v1/staff/products", json=body, headers=STAFF).is_success
        self.sku = body["sku"]
        self.status: dict[str, OrderStatus] = {}
        self.quantity: dict[str, int] = {}
        self.shipped = self.returned = 0

    def teardown(self):
        if hasattr(self, "http"):
            self.http.close()

    @rule(target=orders, quantity=st.integers(1, 6))
    def place(self, quantity):
        response = self.http.post("/api/v1/orders", json=order_body((self.sku, quantity)),
                                  headers=bot(self.who))
        if self._available() < quantity and response.status_code == 409:
            return "none"
        assert response.status_code == 201, response.text
        number = response.json()["number"]
        self.status[number], self.quantity[number] = OrderStatus.PENDING, quantity
        return number

    def _available(self) -> int:
        live = sum(q for n, q in self.quantity.items() if self.status[n] in LIVE_STATUSES)
        return STOCK - self.shipped + self.returned - live

    def _apply(self, number: str, target: OrderStatus, response: httpx.Response) -> None:
        current = self.status[number]
        if target in TRANSITIONS[current]:
            assert response.status_code == 200, response.text
            assert response.json()["status"] == target.value
            self.status[number] = target
            self.shipped += self.quantity[number] if target is OrderStatus.SHIPPED else 0
            self.returned += self.quantity[number] if target is OrderStatus.RETURNED else 0
        else:
            assert response.status_code == 409, response.text
            assert response.json()["code"] == "invalid_transition"

    @rule(number=orders, status=st.sampled_from(list(OrderStatus)))
    def staff_move(self, number, status):
        if number == "none":
            return
        body = {"status": status.value, "carrier": "DHL", "tracking_number": "T1"}
        response = self.http.post(f"/api/v1/staff/orders/{number}/transition", json=body,
                                  headers=STAFF)
        self._apply(number, status, response)

    @rule(number=orders, status=st.sampled_from(list(CUSTOMER_ROUTES)))
    def customer_move(self, number, status):
        if number == "none":
            return
        response = self.http.post(f"/api/v1/orders/{number}/{CUSTOMER_ROUTES[status]}",
                                  json={"reason": "because"}, headers=bot(self.who))
        self._apply(number, status, response)

    @rule(number=orders)
    def customer_withdraws_return(self, number):
        """Only a return on its way can be withdrawn: never a way to mark a parcel delivered."""
        if number == "none":
            return
        response = self.http.post(f"/api/v1/orders/{number}/return/withdraw", headers=bot(self.who))
        if self.status[number] is OrderStatus.RETURN_REQUESTED:
            assert response.status_code == 200, response.text
            self.status[number] = OrderStatus.DELIVERED
        else:
            assert response.status_code == 409, response.text
            assert response.json()["code"] == "invalid_transition"

    @invariant()
    def stock_matches_model(self):
        if not hasattr(self, "sku"):
            return
        level = self.http.get(f"/api/v1/staff/products/{self.sku}/stock", headers=STAFF).json()
        live = sum(q for n, q in self.quantity.items() if self.status[n] in LIVE_STATUSES)
        assert level["reserved"] == live
        assert level["on_hand"] == STOCK - self.shipped + self.returned


def test_order_lifecycle_state_machine(live_servers):
    OrderLifecycle.base_url = live_servers.get("sqlite", 0).url
    run_state_machine_as_test(OrderLifecycle, settings=settings(
        max_examples=25, stateful_step_count=20, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck)))
    with httpx.Client(base_url=OrderLifecycle.base_url) as http:
        report = http.get("/api/v1/staff/inventory/reconciliation", headers=STAFF).json()
    assert report["ok"], report
