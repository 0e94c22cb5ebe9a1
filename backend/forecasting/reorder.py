"""Reorder point and suggested order quantity from a demand forecast.

reorder point  = lead-time demand + safety stock
safety stock   = z · σ · √(lead time)       z = the service level's standard normal quantile
order up to    = reorder point + forecast demand over the cover period after the lead time
suggested qty  = order up to − available, rounded up, when available ≤ reorder point; else 0
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np


def service_z(service_level: float) -> float:
    """The standard normal quantile for a cycle service level (0.95 → 1.645)."""
    if not 0 < service_level < 1:
        raise ValueError("service level must be between 0 and 1")
    return NormalDist().inv_cdf(service_level)


def safety_stock(sigma: float, lead_days: int, service_level: float) -> float:
    return max(0.0, service_z(service_level) * sigma * math.sqrt(lead_days))


@dataclass(frozen=True)
class Reorder:
    lead_days: int
    lead_time_demand: float
    safety_stock: float
    reorder_point: float
    order_up_to: float
    available: int
    suggested_quantity: int

    @property
    def needs_reorder(self) -> bool:
        return self.suggested_quantity > 0


def plan_reorder(forecast: np.ndarray, sigma: float, *, available: int, lead_days: int,
                 cover_days: int, service_level: float) -> Reorder:
    """`forecast` holds daily demand from today and must cover lead_days + cover_days."""
    if len(forecast) < lead_days + cover_days:
        raise ValueError("forecast shorter than lead time plus cover period")
    lead_demand = float(np.sum(forecast[:lead_days]))
    cover_demand = float(np.sum(forecast[lead_days:lead_days + cover_days]))
    safety = safety_stock(sigma, lead_days, service_level)
    point = lead_demand + safety
    up_to = point + cover_demand
    # The tiny tolerance keeps float noise (13.000000001) from ordering one unit too many.
    quantity = math.ceil(up_to - available - 1e-9) if available <= point else 0
    return Reorder(lead_days, round(lead_demand, 2), round(safety, 2), round(point, 2),
                   round(up_to, 2), available, max(quantity, 0))
