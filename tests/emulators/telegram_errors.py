"""The Bot API's error replies, worded and shaped like the official server's (tdlib/telegram-bot-api)."""

from __future__ import annotations

from typing import Any

_PREFIXES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class ApiError(Exception):
    """A failed method call. The HTTP status equals `code`, as with the real server.

    Like the server, a description without its code's prefix gets one: ``ApiError(400, "chat not found")``
    reads "Bad Request: chat not found".
    """

    def __init__(self, code: int, description: str = "", *, retry_after: int | None = None) -> None:
        prefix = _PREFIXES.get(code, "")
        if not description:
            description = prefix
        elif prefix and not description.startswith(prefix):
            description = f"{prefix}: {description}"
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(description: str) -> ApiError:
    return ApiError(400, description)


def forbidden(description: str) -> ApiError:
    return ApiError(403, description)


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"retry after {retry_after}", retry_after=retry_after)


def unauthorized() -> ApiError:
    return ApiError(401)


def not_found() -> ApiError:
    return ApiError(404)
