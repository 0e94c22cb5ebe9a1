"""CORS for the widget on another site: a shop page at https://shop.example embeds the script from
the gateway (https://chat.shop.example) and the widget then calls the gateway from the shop's
origin. Only the web chat endpoints (/webchat/…: messages, the event stream) answer cross-origin,
and only to the origins in WEBCHAT_ALLOWED_ORIGINS. The gateway's own demo page is same-origin and
needs no CORS, so the default (empty) allows no other site. /internal/, /telegram/ and /slack/
never send CORS headers."""
from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from connectors.config import GatewaySettings

WEBCHAT_PREFIX = "/webchat/"
ALLOWED_METHODS = ["GET", "POST"]
# Content-Type: the widget posts JSON (not a "simple" request, so browsers ask first);
# Last-Event-ID: an EventSource sends it when it reconnects.
ALLOWED_HEADERS = ["Content-Type", "Last-Event-ID"]
PREFLIGHT_CACHE_SECONDS = 600


class WebchatCORS:
    """Starlette's CORSMiddleware (preflight answers, Vary: Origin, no headers for other origins),
    applied to the web chat paths only. No cookies are involved: the session id is in the body."""

    def __init__(self, app: ASGIApp, allowed_origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=allowed_origins, allow_methods=ALLOWED_METHODS,
                                   allow_headers=ALLOWED_HEADERS, max_age=PREFLIGHT_CACHE_SECONDS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(WEBCHAT_PREFIX):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def add_webchat_cors(app, settings: GatewaySettings) -> None:
    """Adds the middleware when other sites are allowed; without any, nothing changes."""
    origins = settings.webchat_allowed_origin_list
    if origins:
        app.add_middleware(WebchatCORS, allowed_origins=origins)
