"""The Bot API methods the emulator serves, with the official server's checks, order and error texts."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .telegram_errors import bad_request
from .telegram_forum import ForumMethods
from .telegram_members import MemberMethods
from .telegram_params import to_bool
from .telegram_state import Chat, World, permission_values
from .telegram_text import Entity, format_text
from .telegram_updates import UpdateFeed

Handler = Callable[[dict[str, Any]], Any | Awaitable[Any]]

MAX_TEXT_LENGTH = 4096
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same as a "
    "current content and reply markup of the message"
)
# fmt: off
_CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "record_audio", "upload_audio", "upload_document", "choose_sticker", "find_location",
    "pick_up_location", "record_video_note", "upload_video_note", "cancel",
})
# fmt: on
# fmt: off
_BUTTON_KINDS = frozenset({
    "url", "callback_data", "callback_game", "pay", "switch_inline_query",
    "switch_inline_query_chosen_chat", "switch_inline_query_current_chat", "login_url", "web_app",
    "copy_text",
})
# fmt: on
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_QUERY_GONE = "query is too old and response timeout expired or query ID is invalid"


@dataclass(frozen=True)
class Answer:
    """A result with the description the server adds to some successful replies ("Webhook was set")."""

    result: Any
    description: str


def _int(params: dict[str, Any], key: str, default: int) -> int:
    value = params.get(key)
    return value if isinstance(value, int) else default


def inline_markup(markup: Any) -> dict[str, Any] | None:
    """Validates reply_markup; returns what a message keeps of it (only an inline keyboard)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    for button in (button for row in rows for button in row):
        if not isinstance(button, dict):
            raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
        if not isinstance(button.get("text"), str):
            raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
        if not _BUTTON_KINDS & button.keys():
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
            )
        data = button.get("callback_data")
        if data is not None and not (isinstance(data, str) and 1 <= len(data.encode()) <= 64):
            raise bad_request("BUTTON_DATA_INVALID")
    return {"inline_keyboard": rows} if any(rows) else None


class Methods(MemberMethods, ForumMethods):
    def __init__(self, world: World, feed: UpdateFeed) -> None:
        self.w = world
        self.feed = feed
        self.callback_queries: dict[str, bool] = {}  # id -> answered
        self._sent: set[tuple[int, int]] = set()  # (chat_id, message_id) of the bot's own messages
        self._commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.table: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "deleteMessages": self.delete_messages,
            "copyMessage": self.copy_message,
            "forwardMessage": self.forward_message,
            "sendChatAction": self.send_chat_action,
            "answerCallbackQuery": self.answer_callback_query,
            "setMyCommands": self.set_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "getMyCommands": self.get_my_commands,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
            "getChatAdministrators": self.get_chat_administrators,
            "getChatMemberCount": self.get_chat_member_count,
            "getChatMembersCount": self.get_chat_member_count,
            "banChatMember": self.ban_chat_member,
            "kickChatMember": self.ban_chat_member,
            "unbanChatMember": self.unban_chat_member,
            "restrictChatMember": self.restrict_chat_member,
            "leaveChat": self.leave_chat,
            "createForumTopic": self.create_forum_topic,
            "closeForumTopic": self.close_forum_topic,
        }

    # --- the bot and its updates ----------------------------------------------------------------

    def get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.w.bot.to_dict() | {
            "can_join_groups": True,
            "can_read_all_group_messages": not self.w.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return await self.feed.get_updates(
            _int(params, "offset", 0),
            _int(params, "limit", 100),
            _int(params, "timeout", 0),
            params.get("allowed_updates"),
        )

    async def set_webhook(self, params: dict[str, Any]) -> Answer:
        description = await self.feed.set_webhook(
            str(params.get("url") or ""),
            secret_token=str(params.get("secret_token") or ""),
            allowed_updates=params.get("allowed_updates"),
            drop_pending=bool(params.get("drop_pending_updates")),
            max_connections=_int(params, "max_connections", 40),
        )
        return Answer(True, description)

    async def delete_webhook(self, params: dict[str, Any]) -> Answer:
        return Answer(True, await self.feed.delete_webhook(bool(params.get("drop_pending_updates"))))

    def get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.feed.webhook_info()

    # --- sending --------------------------------------------------------------------------------

    def _formatted(
        self, text: Any, parse_mode: Any, entities: Any, *, allow_empty: bool
    ) -> tuple[str, list[Entity]]:
        if not text and not allow_empty:
            raise bad_request("message text is empty")
        text, found = format_text(str(text or ""), parse_mode, entities)
        if not text and not allow_empty:
            raise bad_request("message text is empty")
        for entity in found:
            if entity["type"] == "text_mention":
                user = self.w.users.get(entity.pop("user_id"))
                entity["user"] = user.to_dict() if user is not None else None
        return text, [entity for entity in found if entity.get("user", True) is not None]

    def _check_can_send(self, chat: Chat) -> None:
        bot_id = self.w.bot.id
        if chat.type == "channel":
            if not self.w.has_right(chat.id, bot_id, "can_post_messages"):
                raise bad_request("need administrator rights in the channel chat")
        elif chat.type in {"group", "supergroup"}:
            bot = self.w.member(chat.id, bot_id)
            allowed = bot.rights if bot.status == "restricted" else chat.permissions
            if bot.status not in {"creator", "administrator"} and not allowed.get("can_send_messages", False):
                raise bad_request("not enough rights to send text messages to the chat")

    def _replied(self, chat: Chat, params: dict[str, Any]) -> dict[str, Any] | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict) and reply:
            message_id, allow_missing = (
                reply.get("message_id"),
                to_bool(reply.get("allow_sending_without_reply", False)),
            )
        else:
            message_id, allow_missing = (
                params.get("reply_to_message_id"),
                bool(params.get("allow_sending_without_reply")),
            )
        if not isinstance(message_id, int) or message_id <= 0:
            return None
        message = self.w.get_message(chat.id, message_id)
        if message is None and not allow_missing:
            raise bad_request("message to be replied not found")
        return message

    def _send(
        self,
        chat: Chat,
        content: dict[str, Any],
        reply: dict[str, Any] | None,
        markup: dict[str, Any] | None,
        topic: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """`topic`: the fields of a message in a forum topic (its reply_to_message included)."""
        message: dict[str, Any] = {"message_id": self.w.next_message_id(chat.id)}
        if chat.type == "channel":
            message["sender_chat"] = chat.to_dict()
        else:
            message["from"] = self.w.bot.to_dict()
        message["chat"] = chat.to_dict()
        message["date"] = self.w.now()
        if topic:
            message |= topic
        elif reply is not None:
            message["reply_to_message"] = {
                key: value for key, value in reply.items() if key != "reply_to_message"
            }
        message.update({key: value for key, value in content.items() if value})
        if markup is not None:
            message["reply_markup"] = markup
        self.w.store(message)
        self._sent.add((chat.id, message["message_id"]))
        return copy.deepcopy(message)

    def send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        text, entities = self._formatted(
            params.get("text"), params.get("parse_mode"), params.get("entities"), allow_empty=False
        )
        markup = inline_markup(params.get("reply_markup"))
        chat = self.w.check_access(params.get("chat_id"), "write")
        self._check_can_send(chat)
        reply = self._replied(chat, params)
        topic = self._into_topic(chat, params, reply)
        if len(text) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        content = {
            "text": text,
            "entities": entities,
            "link_preview_options": params.get("link_preview_options"),
        }
        return self._send(chat, content, reply, markup, topic)

    def copy_message(self, params: dict[str, Any]) -> dict[str, int]:
        source_chat = self.w.check_access(params.get("from_chat_id"), "read")
        source = self.w.get_message(source_chat.id, params.get("message_id"))
        if source is None:
            raise bad_request("message to copy not found")
        if not {"text", "photo"} & source.keys():
            raise bad_request("message can't be copied")
        markup = inline_markup(params.get("reply_markup"))
        chat = self.w.check_access(params.get("chat_id"), "write")
        self._check_can_send(chat)
        reply = self._replied(chat, params)
        content = {key: copy.deepcopy(source.get(key)) for key in ("text", "entities", "photo")}
        if "caption" in params:
            caption = self._formatted(
                params["caption"], params.get("parse_mode"), params.get("caption_entities"), allow_empty=True
            )
            content["caption"], content["caption_entities"] = caption
        elif "photo" in source:
            content |= {key: copy.deepcopy(source.get(key)) for key in ("caption", "caption_entities")}
        return {"message_id": self._send(chat, content, reply, markup)["message_id"]}

    def forward_message(self, params: dict[str, Any]) -> dict[str, Any]:
        source_chat = self.w.check_access(params.get("from_chat_id"), "read")
        source = self.w.get_message(source_chat.id, params.get("message_id"))
        if source is None:
            raise bad_request("message to forward not found")
        chat = self.w.check_access(params.get("chat_id"), "write")
        self._check_can_send(chat)
        content = {
            key: copy.deepcopy(source.get(key))
            for key in ("text", "entities", "photo", "caption", "caption_entities")
        }
        origin = source.get("forward_origin")
        if origin is None:
            if source_chat.type == "channel":
                origin = {
                    "type": "channel",
                    "chat": source_chat.to_dict(),
                    "message_id": source["message_id"],
                }
            else:
                origin = {"type": "user", "sender_user": source["from"]}
            origin["date"] = source["date"]
        content["forward_origin"] = copy.deepcopy(origin)
        content |= legacy_forward_fields(origin)
        return self._send(chat, content, None, None)

    def send_chat_action(self, params: dict[str, Any]) -> bool:
        if str(params.get("action", "")).lower() not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.w.check_access(params.get("chat_id"), "write")
        return True

    # --- editing and deleting -------------------------------------------------------------------

    def _own_message(self, params: dict[str, Any]) -> dict[str, Any]:
        """The bot's message an edit names."""
        chat_id, message_id = params.get("chat_id"), params.get("message_id")
        if _absent(chat_id) and not message_id:
            if not params.get("inline_message_id"):
                raise bad_request("message identifier is not specified")
            raise bad_request("MESSAGE_ID_INVALID")  # inline messages are not emulated
        chat = self.w.check_access(chat_id, "write")
        message = self.w.get_message(chat.id, message_id)
        if message is None:
            raise bad_request("message to edit not found")
        if (chat.id, message_id) not in self._sent:
            raise bad_request("message can't be edited")
        return message

    def edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        text, entities = self._formatted(
            params.get("text"), params.get("parse_mode"), params.get("entities"), allow_empty=False
        )
        markup = inline_markup(params.get("reply_markup"))
        message = self._own_message(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        if (message["text"], message.get("entities", []), message.get("reply_markup")) == (
            text,
            entities,
            markup,
        ):
            raise bad_request(NOT_MODIFIED)
        if len(text) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        message["text"] = text
        _set_or_drop(message, "entities", entities)
        _set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = self.w.now()
        return copy.deepcopy(message)

    def edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        markup = inline_markup(params.get("reply_markup"))
        message = self._own_message(params)
        if message.get("reply_markup") == markup:
            raise bad_request(NOT_MODIFIED)
        _set_or_drop(message, "reply_markup", markup)
        return copy.deepcopy(message)

    def _check_deletable(self, chat: Chat, message: dict[str, Any]) -> None:
        bot_id = self.w.bot.id
        if message["date"] <= self.w.now() - 48 * 3600:
            raise bad_request("message can't be deleted")
        if chat.type == "private" or (chat.id, message["message_id"]) in self._sent:
            return
        if chat.type == "group" and self.w.is_admin(chat.id, bot_id):
            return
        if chat.type in {"supergroup", "channel"} and self.w.has_right(
            chat.id, bot_id, "can_delete_messages"
        ):
            return
        raise bad_request("message can't be deleted")

    def delete_message(self, params: dict[str, Any]) -> bool:
        message_id = params.get("message_id")
        if _absent(params.get("chat_id")):
            raise bad_request("chat identifier is not specified")
        if not isinstance(message_id, int) or message_id <= 0:
            raise bad_request("message identifier is not specified")
        chat = self.w.check_access(params.get("chat_id"), "write")
        message = self.w.get_message(chat.id, message_id)
        if message is None:
            raise bad_request("message to delete not found")
        self._check_deletable(chat, message)
        self.w.delete(chat.id, message_id)
        return True

    def delete_messages(self, params: dict[str, Any]) -> bool:
        """Messages that are not found are skipped; one that cannot be deleted fails the whole call."""
        given = params.get("message_ids")
        if _absent(given):
            raise bad_request("message identifiers are not specified")
        if not isinstance(given, list):
            raise bad_request("expected an Array of message identifiers")
        if len(given) > 100:
            raise bad_request("too many message identifiers specified")
        message_ids: list[int] = []
        for value in given:
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise bad_request("message identifier must be a Number")
            try:
                message_id = int(value)
            except ValueError:
                raise bad_request("can't parse message identifier as Number") from None
            if message_id <= 0:
                raise bad_request("invalid message identifier specified")
            message_ids.append(message_id)
        if not message_ids:
            raise bad_request("message identifiers are not specified")
        chat = self.w.check_access(params.get("chat_id"), "write")
        found = [
            message for message_id in message_ids if (message := self.w.get_message(chat.id, message_id))
        ]
        for message in found:
            self._check_deletable(chat, message)
        for message in found:
            self.w.delete(chat.id, message["message_id"])
        return True

    # --- callback queries and commands ----------------------------------------------------------

    def answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if self.callback_queries.get(query_id, True):
            raise bad_request(_QUERY_GONE)
        self.callback_queries[query_id] = True
        return True

    @staticmethod
    def _command_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        stored: list[dict[str, str]] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand: expected an Object")
            name = str(command.get("command", "")).removeprefix("/")
            description = str(command.get("description", "")).strip()
            if not _COMMAND.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            stored.append({"command": name, "description": description})
        self._commands[self._command_key(params)] = stored
        return True

    def delete_my_commands(self, params: dict[str, Any]) -> bool:
        self._commands.pop(self._command_key(params), None)
        return True

    def get_my_commands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return copy.deepcopy(self._commands.get(self._command_key(params), []))

    # --- chats ----------------------------------------------------------------------------------

    def get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self.w.check_access(params.get("chat_id"), "read")
        info = chat.to_dict() | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys(
                (
                    "unlimited_gifts",
                    "limited_gifts",
                    "unique_gifts",
                    "premium_subscription",
                    "gifts_from_channels",
                ),
                False,
            ),
        }
        if chat.type in {"group", "supergroup"}:
            info["permissions"] = permission_values(chat.permissions)
        return info


def legacy_forward_fields(origin: dict[str, Any]) -> dict[str, Any]:
    """The pre-7.0 forward_* fields the server still sends beside forward_origin."""
    fields: dict[str, Any] = {"forward_date": origin["date"]}
    if origin["type"] == "user":
        fields["forward_from"] = origin["sender_user"]
    elif origin["type"] == "channel":
        fields["forward_from_chat"] = origin["chat"]
        fields["forward_from_message_id"] = origin["message_id"]
    elif origin["type"] == "chat":
        fields["forward_from_chat"] = origin["sender_chat"]
    return fields


def _absent(value: Any) -> bool:
    return value is None or value == ""


def _set_or_drop(message: dict[str, Any], key: str, value: Any) -> None:
    if value:
        message[key] = value
    else:
        message.pop(key, None)
