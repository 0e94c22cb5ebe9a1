"""The staff dashboard: one static page and its assets, plus the recent-feedback read it shows.

The page itself holds no data and needs no key: it asks for the staff key, keeps it in
sessionStorage, and sends it as `X-Api-Key` to the staff API, which is where access is checked.
Plotly comes from the installed `plotly` package, so nothing is fetched from a CDN.
"""
from __future__ import annotations

from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel

from backend.api.deps import ReadSessionDep, StaffDep
from backend.dashboard.queries import recent_feedback

router = APIRouter(tags=["staff dashboard"])
STATIC = Path(__file__).parent / "static"
ASSETS = {
    "dashboard.js": (STATIC / "dashboard.js", "text/javascript"),
    "dashboard.css": (STATIC / "dashboard.css", "text/css"),
    "plotly.min.js": (Path(str(files("plotly") / "package_data" / "plotly.min.js")),
                      "text/javascript"),
}
# Plotly adds inline styles and data: images; everything else comes from this origin only.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; "
                               "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@router.get("/staff/dashboard", include_in_schema=False)
async def read_dashboard() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html", headers=PAGE_HEADERS)


@router.get("/staff/dashboard/assets/{name}", include_in_schema=False)
async def read_dashboard_asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(status_code=404, detail=f"No dashboard asset {name!r}.")
    path, media_type = ASSETS[name]
    return FileResponse(path, media_type=media_type,
                        headers={"Cache-Control": "public, max-age=3600",
                                 "X-Content-Type-Options": "nosniff"})


class FeedbackItem(BaseModel):
    id: int
    created_at: datetime
    rating: int
    comment: str
    channel: str | None
    order_number: str | None


class FeedbackList(BaseModel):
    data: list[FeedbackItem]
    count: int


@router.get("/api/v1/staff/feedback", response_model=FeedbackList, tags=["staff"])
async def read_recent_feedback(
    session: ReadSessionDep, _staff: StaffDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    max_rating: Annotated[int | None, Query(ge=1, le=5)] = None,
) -> dict:
    rows = await recent_feedback(session, limit=limit, max_rating=max_rating)
    return {"data": rows, "count": len(rows)}
