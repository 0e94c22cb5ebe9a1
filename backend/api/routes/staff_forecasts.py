"""Staff demand forecasts per SKU and the reorder suggestions made from them."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from backend.api.deps import ReadSessionDep, SettingsDep, StaffDep
from backend.forecasting import views
from backend.forecasting.schemas import (ForecastDetail, ForecastsPublic,
                                         ReorderSuggestionsPublic)
from backend.forecasting.service import cache_for, live_stock, params_from

router = APIRouter(prefix="/staff", tags=["staff forecasts"])

Refresh = Annotated[bool, Query(description="refit now instead of using the cached fit")]
ServiceLevel = Annotated[float | None, Query(
    ge=0.5, le=0.999, description="what-if service level; default FORECAST_SERVICE_LEVEL")]


async def _run(request: Request, settings, refresh: bool):
    cache = cache_for(request.app.state, settings)
    return cache, await cache.get(request.app.state.sessionmaker, settings, refresh=refresh)


@router.get("/forecasts", response_model=ForecastsPublic)
async def read_forecasts(request: Request, session: ReadSessionDep, settings: SettingsDep,
                         _staff: StaffDep, refresh: Refresh = False,
                         service_level: ServiceLevel = None) -> dict:
    cache, run = await _run(request, settings, refresh)
    return views.forecasts_body(run, await live_stock(session), cache,
                                params_from(settings, service_level))


@router.get("/forecasts/{sku}", response_model=ForecastDetail)
async def read_forecast(sku: str, request: Request, session: ReadSessionDep,
                        settings: SettingsDep, _staff: StaffDep,
                        service_level: ServiceLevel = None) -> dict:
    cache, run = await _run(request, settings, False)
    return views.detail_body(sku, run, await live_stock(session), cache,
                             params_from(settings, service_level))


@router.get("/reorder-suggestions", response_model=ReorderSuggestionsPublic)
async def read_reorder_suggestions(request: Request, session: ReadSessionDep,
                                   settings: SettingsDep, _staff: StaffDep,
                                   refresh: Refresh = False,
                                   service_level: ServiceLevel = None) -> dict:
    cache, run = await _run(request, settings, refresh)
    return views.suggestions_body(run, await live_stock(session), cache,
                                  params_from(settings, service_level))
