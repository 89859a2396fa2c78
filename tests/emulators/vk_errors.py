"""VK API error replies, with the codes and texts the real API answers with.

The generic texts are those of VK's own schema (VKCOM/vk-api-schema errors.json, version 5.199); where the
real API adds a detail after a colon (auth, access, parameters), the emulator does too, worded as VK does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MESSAGES: dict[int, str] = {
    1: "Unknown error occurred",
    3: "Unknown method passed",
    5: "User authorization failed",
    6: "Too many requests per second",
    7: "Permission to perform this action is denied",
    8: "Invalid request",
    9: "Flood control",
    10: "Internal server error",
    12: "Unable to compile code",
    13: "Runtime error occurred during code invocation",
    14: "Captcha needed",
    15: "Access denied",
    18: "User was deleted or banned",
    27: "Group authorization failed",
    29: "Rate limit reached",
    100: "One of the parameters specified was missing or invalid",
    104: "Not found",
    113: "Invalid user id",
    203: "Access to group denied",
    210: "Access to wall's post denied",
    211: "Access to wall's comment denied",
    901: "Can't send messages for users without permission",
    909: "Can't edit this message, because it's too old",
    911: "Keyboard format is invalid",
    914: "Message is too long",
    917: "You don't have access to this chat",
    920: "Can't edit this kind of message",
    924: "Can't delete this message for everybody",
    925: "You are not admin of this chat",
    927: "Chat does not exist",
    935: "User not found in chat",
    945: "Chat was disabled",
}


class VkApiError(Exception):
    """A failed call: ``VkApiError(100, "peer_id not integer")`` reads
    "One of the parameters specified was missing or invalid: peer_id not integer"."""

    def __init__(self, code: int, detail: str | None = None) -> None:
        text = MESSAGES.get(code, MESSAGES[1])
        self.code = code
        self.error_msg = f"{text}: {detail}" if detail else text
        super().__init__(self.error_msg)

    def body(self, method: str, params: Mapping[str, str]) -> dict[str, Any]:
        """The reply, with request_params as VK echoes them (the token is never echoed)."""
        echoed = [{"key": "method", "value": method}, {"key": "oauth", "value": "1"}]
        if "v" in params:
            echoed.append({"key": "v", "value": params["v"]})
        echoed += [{"key": k, "value": v} for k, v in params.items() if k not in {"access_token", "v"}]
        return {"error": {"error_code": self.code, "error_msg": self.error_msg, "request_params": echoed}}

    def item(self) -> dict[str, Any]:
        """The error as one item of a multi-result answer (messages.delete's BaseMessageError)."""
        return {"code": self.code, "description": self.error_msg}


def invalid_token() -> VkApiError:
    return VkApiError(5, "invalid access_token (4).")


def no_token() -> VkApiError:
    return VkApiError(5, "no access_token passed.")


def group_auth_unavailable() -> VkApiError:
    return VkApiError(27, "method is unavailable with group auth.")


def no_method_access() -> VkApiError:
    """A user token without the messages scope calling messages.*, as VK answers non-approved apps."""
    return VkApiError(15, "no access to call this method")


def param(detail: str) -> VkApiError:
    return VkApiError(100, detail)
