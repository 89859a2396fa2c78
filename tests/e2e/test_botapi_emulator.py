"""The Telegram Bot API emulator, driven by a real aiogram Bot over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    ChatMemberBanned,
    ChatPermissions,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageOriginChannel,
)
from aiohttp import web
from modbot_emulators.telegram import BotApiEmulator

CHAT = -1001234567890
OWNER, ANNA, BORIS = 10, 11, 12


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(webhook_retry_delay=0.05) as emulator:
        yield emulator


class _PlainHttpSession(AiohttpSession):
    """aiogram's session, without the 250 ms its close() waits for TLS connections (there are none here)."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def _bot(emu: BotApiEmulator, token: str | None = None) -> Bot:
    assert emu.base_url is not None
    return Bot(token or emu.token, session=_PlainHttpSession(api=TelegramAPIServer.from_base(emu.base_url)))


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    client = _bot(emu)
    yield client
    await client.session.close()


def _group(emu: BotApiEmulator, *, bot_status: str = "administrator", **bot_rights: bool) -> None:
    """A supergroup with its owner, two members and the bot."""
    emu.add_user(OWNER, "Olga", "olga_owner")
    emu.add_user(ANNA, "Анна", "anna_k")
    emu.add_user(BORIS, "Boris")
    emu.add_chat(CHAT, "supergroup", title="Brand community")
    emu.set_member(CHAT, OWNER, "creator")
    emu.set_member(CHAT, ANNA)
    emu.set_member(CHAT, BORIS)
    emu.set_member(CHAT, emu.bot_id, bot_status, **bot_rights)


async def test_get_me_describes_the_bot(emu: BotApiEmulator, bot: Bot) -> None:
    me = await bot.get_me()

    assert (me.id, me.username, me.is_bot) == (emu.bot_id, "modbot_test_bot", True)
    assert me.can_read_all_group_messages is True
    assert [call.method for call in emu.calls] == ["getMe"]


async def test_a_long_poll_returns_as_soon_as_a_message_arrives_and_offset_confirms_it(
    emu: BotApiEmulator, bot: Bot
) -> None:
    _group(emu)
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    started = time.monotonic()
    sent = emu.send_message(CHAT, ANNA, "здравствуйте")

    updates = await asyncio.wait_for(poll, 3)

    assert time.monotonic() - started < 2
    assert len(updates) == 1 and updates[0].message is not None
    assert (updates[0].message.message_id, updates[0].message.text) == (sent["message_id"], "здравствуйте")
    assert updates[0].message.from_user is not None and updates[0].message.from_user.id == ANNA
    assert emu.pending_updates() == 1, "not confirmed until the next offset"
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == []
    assert emu.pending_updates() == 0


async def test_a_second_long_poll_ends_the_first_with_a_conflict(emu: BotApiEmulator, bot: Bot) -> None:
    _group(emu)
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    second = asyncio.create_task(bot.get_updates(timeout=5))

    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 2)
    emu.send_message(CHAT, ANNA, "still there?")
    assert [update.message.text for update in await second if update.message] == ["still there?"]


async def test_entities_count_utf16_units_in_cyrillic_and_emoji_text(emu: BotApiEmulator, bot: Bot) -> None:
    _group(emu)
    text = "Привет 👋🏽 @anna_k, смотри пример.рф и https://t.me/spam?x=1. /start@modbot_test_bot"
    emu.send_message(CHAT, BORIS, text)

    [update] = await bot.get_updates()
    message = update.message
    assert message is not None and message.entities is not None
    found = [(entity.type, entity.offset, entity.extract_from(text)) for entity in message.entities]
    assert found == [
        ("mention", 12, "@anna_k"),
        ("url", 28, "пример.рф"),
        ("url", 40, "https://t.me/spam?x=1"),
        ("bot_command", 63, "/start@modbot_test_bot"),
    ]

    sent = await bot.send_message(CHAT, "<b>Ёжик 🦔</b> <i>ok</i> &lt;3", parse_mode="HTML")
    assert sent.text == "Ёжик 🦔 ok <3"
    assert [(e.type, e.offset, e.length) for e in sent.entities or []] == [("bold", 0, 7), ("italic", 8, 2)]
    unsupported = 'can\'t parse entities: Unsupported start tag "br" at byte offset 4'
    with pytest.raises(TelegramBadRequest, match=unsupported):
        await bot.send_message(CHAT, "Ёж<br>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match=r"Character '\.' is reserved"):
        await bot.send_message(CHAT, "Цена 5.00", parse_mode="MarkdownV2")


async def test_forwards_replies_and_photos_arrive_in_bot_api_shape(emu: BotApiEmulator, bot: Bot) -> None:
    _group(emu)
    channel = {"id": -1009876543210, "title": "Crypto signals", "username": "signals", "type": "channel"}
    first = emu.send_message(CHAT, ANNA, "read this", forward_from_chat=channel, forward_message_id=77)
    emu.send_message(CHAT, BORIS, caption="see @anna_k", photo=True, reply_to=first["message_id"])

    forwarded, photo = (update.message for update in await bot.get_updates())
    assert forwarded is not None and isinstance(forwarded.forward_origin, MessageOriginChannel)
    assert (forwarded.forward_origin.chat.id, forwarded.forward_origin.message_id) == (channel["id"], 77)
    assert forwarded.forward_from_chat is not None and forwarded.forward_from_chat.username == "signals"
    assert photo is not None and photo.photo and photo.caption == "see @anna_k"
    assert [(e.type, e.offset, e.length) for e in photo.caption_entities or []] == [("mention", 4, 7)]
    assert photo.reply_to_message is not None and photo.reply_to_message.message_id == first["message_id"]


async def test_a_deleted_message_is_gone_and_deleting_it_again_fails(emu: BotApiEmulator, bot: Bot) -> None:
    _group(emu, can_delete_messages=True)
    spam = emu.send_message(CHAT, BORIS, "buy followers")

    assert await bot.delete_message(CHAT, spam["message_id"]) is True
    assert emu.is_deleted(CHAT, spam["message_id"])
    assert emu.chat_messages(CHAT) == []
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(CHAT, spam["message_id"])
    assert [call.ok for call in emu.calls_to("deleteMessage")] == [True, False]
    assert emu.calls_to("deleteMessage")[1].params == {"chat_id": CHAT, "message_id": spam["message_id"]}


async def test_without_rights_the_bot_gets_the_servers_errors_and_nothing_changes(
    emu: BotApiEmulator, bot: Bot
) -> None:
    _group(emu, bot_status="member")
    spam = emu.send_message(CHAT, BORIS, "spam")

    with pytest.raises(TelegramBadRequest, match="message can't be deleted"):
        await bot.delete_message(CHAT, spam["message_id"])
    with pytest.raises(TelegramBadRequest, match="not enough rights to restrict/unrestrict chat member"):
        await bot.ban_chat_member(CHAT, BORIS)
    emu.set_member(CHAT, emu.bot_id, "administrator")
    with pytest.raises(TelegramBadRequest, match="can't remove chat owner"):
        await bot.ban_chat_member(CHAT, OWNER)
    emu.set_member(CHAT, ANNA, "administrator")
    with pytest.raises(TelegramBadRequest, match="user is an administrator of the chat"):
        await bot.restrict_chat_member(CHAT, ANNA, ChatPermissions(can_send_messages=False))
    with pytest.raises(TelegramBadRequest, match="user not found"):
        await bot.ban_chat_member(CHAT, 999)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(-100999, "hi")
    emu.set_member(CHAT, emu.bot_id, "left")
    with pytest.raises(TelegramForbiddenError, match="bot is not a member of the supergroup chat"):
        await bot.send_message(CHAT, "hi")

    assert emu.message(CHAT, spam["message_id"]) is not None
    assert emu.member(CHAT, BORIS)["status"] == "member"
    assert emu.member(CHAT, ANNA)["status"] == "administrator"


async def test_a_ban_keeps_its_until_date_and_ends_by_itself_or_unban(emu: BotApiEmulator, bot: Bot) -> None:
    _group(emu)
    until = int(emu.now()) + 3600

    assert await bot.ban_chat_member(CHAT, BORIS, until_date=until) is True
    member = await bot.get_chat_member(CHAT, BORIS)
    assert isinstance(member, ChatMemberBanned) and int(member.until_date.timestamp()) == until
    emu.advance_clock(3601)
    assert emu.member(CHAT, BORIS)["status"] == "left", "a temporary ban ends by itself"

    soon = int(emu.now()) + 10
    await bot.ban_chat_member(CHAT, ANNA, until_date=soon)
    assert emu.member(CHAT, ANNA)["until_date"] == 0, "under 30 seconds away means forever"
    assert await bot.unban_chat_member(CHAT, ANNA, only_if_banned=True) is True
    assert (await bot.get_chat_member(CHAT, ANNA)).status == "left"
    assert [call.params["until_date"] for call in emu.calls_to("banChatMember")] == [until, soon]


async def test_restrict_mutes_until_a_date_and_all_permissions_lift_it(emu: BotApiEmulator, bot: Bot) -> None:
    _group(emu)
    until = int(emu.now()) + 600

    await bot.restrict_chat_member(CHAT, BORIS, ChatPermissions(can_send_messages=False), until_date=until)

    muted = emu.member(CHAT, BORIS)
    assert (muted["status"], muted["can_send_messages"], muted["until_date"]) == ("restricted", False, until)
    assert muted["is_member"] is True
    assert emu.calls_to("restrictChatMember")[0].params["permissions"] == {"can_send_messages": False}
    with pytest.raises(ValueError, match="cannot write"):
        emu.send_message(CHAT, BORIS, "let me speak")

    everything = ChatPermissions(**{name: True for name in ChatPermissions.model_fields})
    await bot.restrict_chat_member(CHAT, BORIS, everything)
    assert emu.member(CHAT, BORIS)["status"] == "member"


async def test_fail_next_answers_429_with_retry_after_and_no_change(emu: BotApiEmulator, bot: Bot) -> None:
    _group(emu)
    emu.fail_next("sendMessage", retry_after=7)

    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_message(CHAT, "warning")

    assert raised.value.retry_after == 7
    assert "Too Many Requests: retry after 7" in str(raised.value)
    assert emu.chat_messages(CHAT) == []
    assert (await bot.send_message(CHAT, "warning")).text == "warning"
    assert [call.error_code for call in emu.calls_to("sendMessage")] == [429, None]


async def test_rate_limits_refuse_the_21st_message_a_minute_into_a_group() -> None:
    async with BotApiEmulator(enforce_rate_limits=True) as limited:
        _group(limited)
        client = _bot(limited)
        try:
            for number in range(20):
                await client.send_message(CHAT, f"message {number}")
            with pytest.raises(TelegramRetryAfter) as raised:
                await client.send_message(CHAT, "one too many")
        finally:
            await client.session.close()
    assert 1 <= raised.value.retry_after <= 60


async def test_webhook_gets_updates_with_the_secret_and_ends_polling(emu: BotApiEmulator, bot: Bot) -> None:
    _group(emu)
    received: list[dict[str, Any]] = []
    answers: list[web.StreamResponse] = [
        web.Response(status=500),
        web.json_response({"method": "sendMessage", "chat_id": CHAT, "text": "pong"}),
    ]

    async def webhook(request: web.Request) -> web.StreamResponse:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != "s3cret":
            return web.Response(status=401)
        received.append(await request.json())
        return answers.pop(0) if answers else web.json_response({})

    app = web.Application()
    app.router.add_post("/hook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        with pytest.raises(TelegramBadRequest, match="bad webhook"):
            await bot.set_webhook("https://example.com/hook")
        assert await bot.set_webhook(url, secret_token="s3cret") is True
        with pytest.raises(TelegramConflictError, match="can't use getUpdates method while webhook is"):
            await bot.get_updates()

        emu.send_message(CHAT, ANNA, "ping")
        await emu.wait_for("sendMessage", lambda call: call.params["text"] == "pong", timeout=3)

        assert [update["message"]["text"] for update in received] == ["ping", "ping"], "retried after the 500"
        assert [(d.attempt, d.status) for d in emu.webhook_deliveries] == [(1, 500), (2, 200)]
        assert emu.pending_updates() == 0
        assert await emu.post_to_webhook({"update_id": 1}, secret="wrong") == 401
        assert await emu.post_to_webhook({"update_id": 1}, secret=None) == 401
        info = await bot.get_webhook_info()
        assert (info.url, info.pending_update_count) == (url, 0)
        assert await bot.delete_webhook() is True
        assert await bot.get_updates() == []
    finally:
        await runner.cleanup()


async def test_a_button_press_is_answered_and_the_message_edited(emu: BotApiEmulator, bot: Bot) -> None:
    _group(emu)
    undo = InlineKeyboardButton(text="Undo", callback_data="undo:1")
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[undo]])
    card = await bot.send_message(CHAT, "Boris muted", reply_markup=keyboard)

    query_id = emu.press_button(CHAT, card.message_id, OWNER, "undo:1")
    [update] = await bot.get_updates()

    query = update.callback_query
    assert query is not None and (query.id, query.data, query.from_user.id) == (query_id, "undo:1", OWNER)
    assert query.message is not None and query.message.message_id == card.message_id
    assert await bot.answer_callback_query(query.id, text="Undone") is True
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)
    edited = await bot.edit_message_text("Boris unmuted", chat_id=CHAT, message_id=card.message_id)
    assert isinstance(edited, Message) and edited.text == "Boris unmuted"
    assert edited.reply_markup is None and edited.edit_date is not None
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Boris unmuted", chat_id=CHAT, message_id=card.message_id)
    assert emu.calls_to("sendMessage")[0].params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Undo", "callback_data": "undo:1"}]]
    }


async def test_delete_messages_skips_missing_ones_and_needs_rights(emu: BotApiEmulator, bot: Bot) -> None:
    _group(emu, can_delete_messages=False)
    first, second, third = (emu.send_message(CHAT, BORIS, f"spam {n}")["message_id"] for n in range(3))

    with pytest.raises(TelegramBadRequest, match="message can't be deleted"):
        await bot.delete_messages(CHAT, [first, second])
    assert len(emu.chat_messages(CHAT)) == 3

    emu.set_member(CHAT, emu.bot_id, "administrator", can_delete_messages=True)
    assert await bot.delete_messages(CHAT, [first, second, 999]) is True
    assert [message["message_id"] for message in emu.chat_messages(CHAT)] == [third]
    assert emu.calls_to("deleteMessages")[-1].params["message_ids"] == [first, second, 999]


async def test_membership_changes_reach_the_bot_as_chat_member_updates(emu: BotApiEmulator, bot: Bot) -> None:
    _group(emu, bot_status="left")
    await bot.get_updates(allowed_updates=["message", "chat_member", "my_chat_member"])

    emu.add_bot_to_chat(CHAT, "administrator")
    emu.add_user(13, "Vera")
    emu.join(CHAT, 13)
    updates = await bot.get_updates()

    kinds = [update.event_type for update in updates]
    assert kinds == ["my_chat_member", "message", "chat_member", "message"]
    bot_change, vera_change, joined = updates[0].my_chat_member, updates[2].chat_member, updates[3].message
    assert bot_change is not None and bot_change.new_chat_member.status == "administrator"
    assert vera_change is not None and vera_change.old_chat_member.status == "left"
    assert joined is not None and [user.id for user in joined.new_chat_members or []] == [13]


async def test_a_foreign_token_is_unauthorized(emu: BotApiEmulator) -> None:
    stranger = _bot(emu, token="123456:not-our-bot")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await stranger.get_me()
    finally:
        await stranger.session.close()
    assert [(call.method, call.error_code) for call in emu.calls] == [("getMe", 401)]


# --- forum supergroups -----------------------------------------------------------------------------------

FORUM = -1001234567891


def _forum(emu: BotApiEmulator, *, bot_status: str = "administrator", **bot_rights: bool) -> None:
    """The supergroup of _group, and a forum beside it with the same people."""
    _group(emu)
    emu.add_chat(FORUM, "supergroup", title="Brand support", is_forum=True)
    emu.set_member(FORUM, OWNER, "creator")
    emu.set_member(FORUM, ANNA)
    emu.set_member(FORUM, emu.bot_id, bot_status, **bot_rights)


async def test_a_forum_topic_is_created_with_its_service_message_and_posted_into(
    emu: BotApiEmulator, bot: Bot
) -> None:
    _forum(emu)
    assert (await bot.get_chat(FORUM)).is_forum is True
    assert (await bot.get_chat(CHAT)).is_forum is None  # the server omits a false flag
    topic = await bot.create_forum_topic(FORUM, "#1 · Анна · " + "нет связи " * 20)

    assert len(topic.name) == 128 and topic.icon_color in (
        0x6FB9F0,
        0xFFD67E,
        0xCB86DB,
        0x8EEE98,
        0xFF93B2,
        0xFB6F5F,
    )
    created = emu.message(FORUM, topic.message_thread_id)
    assert created is not None and created["forum_topic_created"]["name"] == topic.name
    assert created["message_thread_id"] == topic.message_thread_id and created["is_topic_message"] is True
    card = await bot.send_message(FORUM, "card", message_thread_id=topic.message_thread_id)
    assert (card.message_thread_id, card.is_topic_message) == (topic.message_thread_id, True)
    assert card.reply_to_message is not None and card.reply_to_message.forum_topic_created is not None
    in_general = await bot.send_message(FORUM, "to everyone")
    assert in_general.message_thread_id is None and in_general.is_topic_message is None
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(FORUM, "lost", message_thread_id=9999)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(CHAT, "lost", message_thread_id=topic.message_thread_id)
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(CHAT, "no topics here")


async def test_messages_in_a_topic_reply_to_its_creation_unless_they_reply_to_something(
    emu: BotApiEmulator, bot: Bot
) -> None:
    _forum(emu)
    topic = await bot.create_forum_topic(FORUM, "#2 · Анна")
    card = await bot.send_message(FORUM, "card", message_thread_id=topic.message_thread_id)
    emu.send_message(FORUM, ANNA, "in the topic", thread=topic.message_thread_id)
    emu.send_message(FORUM, ANNA, "about the card", reply_to=card.message_id)  # a reply keeps its topic
    emu.send_message(FORUM, ANNA, "in General")

    plain, reply, general = (update.message for update in await bot.get_updates())
    assert plain is not None and plain.is_topic_message and plain.message_thread_id == topic.message_thread_id
    assert plain.reply_to_message is not None and plain.reply_to_message.message_id == topic.message_thread_id
    assert plain.chat.is_forum is True
    assert reply is not None and reply.message_thread_id == topic.message_thread_id
    assert reply.reply_to_message is not None and reply.reply_to_message.message_id == card.message_id
    assert general is not None and general.message_thread_id is None and general.reply_to_message is None
    with pytest.raises(ValueError, match="no topic"):
        emu.send_message(FORUM, ANNA, "lost", thread=9999)
    with pytest.raises(ValueError, match="no topic"):
        emu.send_message(CHAT, ANNA, "lost", thread=topic.message_thread_id)


async def test_a_closed_topic_takes_messages_only_from_those_who_manage_topics(
    emu: BotApiEmulator, bot: Bot
) -> None:
    _forum(emu)
    topic = await bot.create_forum_topic(FORUM, "#3 · Анна")
    thread = topic.message_thread_id

    assert await bot.close_forum_topic(FORUM, thread) is True
    assert emu.topic(FORUM, thread)["is_closed"] is True
    closed = emu.chat_messages(FORUM)[-1]
    assert "forum_topic_closed" in closed and closed["message_thread_id"] == thread
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.close_forum_topic(FORUM, thread)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.close_forum_topic(FORUM, 9999)
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.close_forum_topic(CHAT, thread)
    with pytest.raises(ValueError, match="is closed"):
        emu.send_message(FORUM, ANNA, "hello?", thread=thread)
    emu.send_message(FORUM, OWNER, "closed, see the card", thread=thread)
    assert (await bot.send_message(FORUM, "noted", message_thread_id=thread)).message_thread_id == thread
    emu.set_member(FORUM, emu.bot_id, "administrator", can_manage_topics=False)
    with pytest.raises(TelegramBadRequest, match="TOPIC_CLOSED"):
        await bot.send_message(FORUM, "noted", message_thread_id=thread)


async def test_creating_a_topic_needs_the_right_to_manage_topics(emu: BotApiEmulator, bot: Bot) -> None:
    _forum(emu, can_manage_topics=False)
    with pytest.raises(TelegramBadRequest, match="not enough rights to create a topic"):
        await bot.create_forum_topic(FORUM, "#4")
    emu.set_member(FORUM, emu.bot_id, "member")
    with pytest.raises(TelegramBadRequest, match="not enough rights to create a topic"):
        await bot.create_forum_topic(FORUM, "#4")
    emu.set_member(FORUM, emu.bot_id, "administrator")
    with pytest.raises(TelegramBadRequest, match="title must be non-empty"):
        await bot.create_forum_topic(FORUM, "   ")
    topic = await bot.create_forum_topic(FORUM, "#4", icon_color=0xFB6F5F)
    assert emu.topic(FORUM, topic.message_thread_id) == {
        "name": "#4",
        "icon_color": 0xFB6F5F,
        "is_closed": False,
    }
    assert not [update for update in await bot.get_updates() if update.message]  # the bot's own doing
    with pytest.raises(ValueError, match="only supergroups"):
        emu.add_chat(-1001234567892, "group", is_forum=True)
