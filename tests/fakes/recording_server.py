"""A small threaded HTTP server on 127.0.0.1, port 0, that records every request (method, path,
headers, raw body and the decoded fields) and answers through `respond`. The fakes build on it."""
from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class RecordedCall:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    fields: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)

    @property
    def name(self) -> str:
        """The last path segment: the API method, e.g. `sendMessage` or `chat.postMessage`."""
        return self.path.rstrip("/").rsplit("/", 1)[-1]


def decode_fields(content_type: str, body: bytes, query: str) -> dict[str, Any]:
    fields: dict[str, Any] = dict(parse_qsl(query))
    if not body:
        return fields
    if "json" in content_type:
        data = json.loads(body)
        return {**fields, **data} if isinstance(data, dict) else {**fields, "_json": data}
    if "form" in content_type:
        for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
            fields[key] = _maybe_json(value)
    return fields


def _maybe_json(value: str) -> Any:
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 drops connections when 16 clients connect at once


class RecordingServer:
    def __init__(self) -> None:
        self.calls: list[RecordedCall] = []
        self.on_call: Callable[[RecordedCall], None] | None = None  # runs on the server thread
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> RecordingServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()

    def named(self, name: str) -> list[RecordedCall]:
        with self._lock:
            return [call for call in self.calls if call.name == name]

    async def wait_for(self, name: str, count: int = 1, timeout: float = 5.0) -> list[RecordedCall]:
        """Waits without blocking the event loop until `count` calls named `name` arrived."""
        deadline = time.monotonic() + timeout
        while len(self.named(name)) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return self.named(name)

    def respond(self, call: RecordedCall) -> tuple[int, str, bytes]:
        """Returns (status, content type, body). Subclasses speak their protocol here."""
        return 404, "text/plain", b"not found"

    def _record(self, call: RecordedCall) -> None:
        with self._lock:
            self.calls.append(call)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                content_type = self.headers.get("Content-Type", "")
                call = RecordedCall(self.command, parts.path, dict(self.headers.items()), body,
                                    decode_fields(content_type, body, parts.query))
                server._record(call)
                try:
                    status, kind, payload = server.respond(call)
                except Exception as error:  # noqa: BLE001 - a broken fake answers 500, visibly
                    status, kind, payload = 500, "text/plain", repr(error).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client went away (a stopped poller): nothing to answer
                if server.on_call is not None:
                    server.on_call(call)

            do_GET = do_POST = _handle

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler
