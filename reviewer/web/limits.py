"""Request-size limit and security headers for the web app (plain ASGI middleware)."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Starlette refuses a non-file form field above 1 MB with an English 400; the
# page and the API explain that limit in Chinese instead.
FORM_FIELD_LIMIT = 1024 * 1024


def too_large_message(limit_bytes: int) -> str:
    return f"上传内容超过 {limit_bytes / 1024 / 1024:g} MB 的上限，请拆分后分别审核。"


class BodyLimitMiddleware:
    """Refuse request bodies above `limit_bytes` with 413 and a one-line Chinese message.

    A declared Content-Length is checked before anything is read; a chunked
    body is counted as it arrives and cut off as soon as it passes the limit.
    """

    def __init__(self, app: ASGIApp, limit_bytes: int):
        self.app = app
        self.limit = limit_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await _send_json(send, 413, too_large_message(self.limit))
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # An HTTPException passes through FastAPI's body parsing
                    # unchanged and is rendered by its handler as JSON.
                    raise HTTPException(413, too_large_message(self.limit))
            return message

        await self.app(scope, limited_receive, send)


class SecurityHeadersMiddleware:
    """Headers that keep the page self-contained: no inline or foreign scripts, no framing."""

    PAGE_POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )

    def __init__(self, app: ASGIApp, page_paths: tuple[str, ...] = ("/",)):
        self.app = app
        self.page_paths = page_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_page = scope.get("path") in self.page_paths

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                if is_page:
                    headers += [
                        (b"content-security-policy", self.PAGE_POLICY.encode()),
                        (b"x-frame-options", b"DENY"),
                    ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_json(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
