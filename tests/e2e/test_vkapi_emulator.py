"""The VK API emulator, driven by vkbottle's own API client, BotPolling and Bot over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from modbot_emulators.vk import VkApiEmulator
from vkbottle import API, Bot, Callback, GroupEventType, GroupTypes, Keyboard, VKAPIError
from vkbottle.bot import Message
from vkbottle.http import AiohttpClient
from vkbottle.polling import BotPolling

CHAT_ID = 1
ANNA, BORIS, MODER = 11, 12, 13

ApiFactory = Callable[[str], API]


@pytest.fixture
async def emu() -> AsyncIterator[VkApiEmulator]:
    async with VkApiEmulator() as emulator:
        yield emulator


@pytest.fixture
async def make_api(emu: VkApiEmulator) -> AsyncIterator[ApiFactory]:
    """vkbottle API clients pointed at the emulator, each with its own HTTP session, closed afterwards."""
    made: list[API] = []

    def make(token: str) -> API:
        api = API(token, http_client=AiohttpClient())
        api.API_URL = emu.base_url  # type: ignore[misc]
        made.append(api)
        return api

    yield make
    for api in made:
        await api.http_client.close()


@pytest.fixture
def group_api(emu: VkApiEmulator, make_api: ApiFactory) -> API:
    return make_api(emu.group_token)


@pytest.fixture
def admin_api(emu: VkApiEmulator, make_api: ApiFactory) -> API:
    return make_api(emu.admin_token)


@pytest.fixture(autouse=True)
def _polling_state_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # vkbottle's BotPolling saves its ts under ./.vkbottle/ of the working directory.
    monkeypatch.chdir(tmp_path)


def _community(emu: VkApiEmulator, *, bot_is_admin: bool = True) -> int:
    """Anna, Boris and a moderator in the community and in its chat; returns the chat's peer_id."""
    emu.add_user(ANNA, "Анна", "Котова", "anna_k")
    emu.add_user(BORIS, "Boris", "Petrov")
    emu.add_user(MODER, "Mira", "Moder", "mira")
    emu.add_manager(MODER, "moderator")
    return emu.add_chat(CHAT_ID, "Brand chat", bot_is_admin, members=[ANNA, BORIS, MODER])


async def _raises(code: int, call: Awaitable[Any]) -> VKAPIError:
    with pytest.raises(VKAPIError[code]) as caught:  # type: ignore[misc]
        await call
    return caught.value


# --- plain methods ------------------------------------------------------------------------------


async def test_group_token_identifies_the_community_and_calls_are_recorded(
    emu: VkApiEmulator, group_api: API
) -> None:
    groups = (await group_api.groups.get_by_id()).groups

    assert [(group.id, group.screen_name) for group in groups] == [(emu.group_id, "brand_community")]
    call = emu.calls_to("groups.getById")[0]
    assert call.ok and call.caller is not None and call.caller.kind == "group"
    assert call.params["v"] == "5.199" and "access_token" not in call.params


async def test_send_answers_like_vk_for_chats_and_dedups_random_id(
    emu: VkApiEmulator, group_api: API
) -> None:
    peer = _community(emu)
    keyboard = Keyboard(inline=True).add(Callback("Разбан", payload={"unban": ANNA})).get_json()

    assert await group_api.messages.send(peer_id=peer, random_id=0, message="hello") == 0
    sent = await group_api.messages.send(peer_ids=[peer], random_id=77, message="card", keyboard=keyboard)
    again = await group_api.messages.send(peer_ids=[peer], random_id=77, message="card", keyboard=keyboard)

    assert sent[0].conversation_message_id == again[0].conversation_message_id == 2
    assert sent[0].message_id == 0
    texts = [(m["text"], m["conversation_message_id"]) for m in emu.sent_messages(peer)]
    assert texts == [("hello", 1), ("card", 2)]
    assert emu.sent_messages(peer)[1]["keyboard"]["buttons"][0][0]["action"]["payload"] == '{"unban":11}'
    assert emu.calls_to("messages.send")[1].params["keyboard"]["inline"] is True


async def test_send_refusals(emu: VkApiEmulator, group_api: API) -> None:
    peer = _community(emu)

    error = await _raises(100, group_api.request("messages.send", {"peer_id": peer, "message": "x"}))
    assert (
        error.error_msg
        == "One of the parameters specified was missing or invalid: random_id is a required parameter"
    )
    await _raises(901, group_api.messages.send(user_id=BORIS, random_id=0, message="hi"))
    await _raises(
        911, group_api.messages.send(peer_id=peer, random_id=0, message="x", keyboard='{"rows": 1}')
    )
    emu.send_private_message(BORIS, "привет")
    assert await group_api.messages.send(user_id=BORIS, random_id=0, message="hi") > 0


async def test_delete_by_conversation_message_id(emu: VkApiEmulator, group_api: API) -> None:
    peer = _community(emu)
    spam = emu.send_chat_message(peer, ANNA, "buy followers")
    owners = emu.send_chat_message(peer, emu.admin_id, "rules")

    items = await group_api.messages.delete(
        cmids=[spam["conversation_message_id"]], peer_id=peer, delete_for_all=True
    )

    assert [(item.conversation_message_id, item.response) for item in items] == [
        (spam["conversation_message_id"], 1)
    ]
    assert emu.is_deleted(peer, spam["conversation_message_id"])
    await _raises(
        104,
        group_api.messages.delete(cmids=[spam["conversation_message_id"]], peer_id=peer, delete_for_all=True),
    )
    error = await _raises(
        924,
        group_api.messages.delete(
            cmids=[owners["conversation_message_id"]], peer_id=peer, delete_for_all=True
        ),
    )
    assert error.error_msg == "Can't delete this message for everybody"
    assert not emu.is_deleted(peer, owners["conversation_message_id"])


async def test_edit_and_a_private_dialog(emu: VkApiEmulator, group_api: API) -> None:
    _community(emu)
    question = emu.send_private_message(ANNA, "где мой заказ?")
    answer_id = await group_api.messages.send(
        user_id=ANNA, random_id=0, message="Проверяем", reply_to=question["id"]
    )

    assert await group_api.messages.edit(peer_id=ANNA, message_id=answer_id, message="Заказ в пути") == 1
    await _raises(920, group_api.messages.edit(peer_id=ANNA, conversation_message_id=1, message="x"))
    answer = emu.sent_messages(ANNA)[0]
    assert (answer["id"], answer["text"], answer["reply_message"]["text"]) == (
        answer_id,
        "Заказ в пути",
        "где мой заказ?",
    )
    assert "update_time" in answer
    await _raises(924, group_api.messages.delete(message_ids=[question["id"]], delete_for_all=True))
    emu.advance_clock(25 * 3600)
    await _raises(909, group_api.messages.edit(peer_id=ANNA, message_id=answer_id, message="late"))
    await _raises(924, group_api.messages.delete(message_ids=[answer_id], delete_for_all=True))
    assert (await group_api.messages.delete(message_ids=[answer_id]))[0].response == 1
    assert not emu.is_deleted(ANNA, answer["conversation_message_id"])


async def test_a_chat_without_admin_rights(emu: VkApiEmulator, group_api: API) -> None:
    peer = _community(emu, bot_is_admin=False)
    heard = emu.send_chat_message(peer, ANNA, "@brand_community где заказ?")
    emu.send_chat_message(peer, ANNA, "unheard")

    assert [e["object"]["message"]["text"] for e in emu.events] == ["@brand_community где заказ?"]
    await _raises(
        924,
        group_api.messages.delete(cmids=[heard["conversation_message_id"]], peer_id=peer, delete_for_all=1),
    )
    await _raises(925, group_api.messages.remove_chat_user(chat_id=CHAT_ID, member_id=ANNA))
    error = await _raises(917, group_api.messages.get_conversation_members(peer_id=peer))
    assert error.error_msg == "You don't have access to this chat"
    assert (await group_api.messages.get_conversations_by_id(peer_ids=[peer])).count == 0


async def test_remove_chat_user(emu: VkApiEmulator, group_api: API) -> None:
    peer = _community(emu)

    assert await group_api.messages.remove_chat_user(chat_id=CHAT_ID, member_id=BORIS) == 1
    assert BORIS not in emu.chat_members(peer)
    assert (
        await _raises(935, group_api.messages.remove_chat_user(chat_id=CHAT_ID, user_id=BORIS))
    ).error_msg == ("User not found in chat")
    error = await _raises(15, group_api.messages.remove_chat_user(chat_id=CHAT_ID, member_id=emu.admin_id))
    assert error.error_msg == "Access denied: can't remove this user"
    await _raises(100, group_api.request("messages.removeChatUser", {"chat_id": CHAT_ID}))
    with pytest.raises(ValueError, match="not in chat"):
        emu.send_chat_message(peer, BORIS, "I am back")


async def test_conversation_members_and_conversations(emu: VkApiEmulator, group_api: API) -> None:
    peer = _community(emu)
    emu.set_chat_admin(peer, MODER)

    members = await group_api.messages.get_conversation_members(peer_id=peer, fields=["screen_name"])
    conversations = await group_api.messages.get_conversations_by_id(peer_ids=[peer])

    admins = {m.member_id: (m.is_admin, m.is_owner) for m in members.items if m.is_admin}
    assert admins == {emu.admin_id: (True, True), -emu.group_id: (True, None), MODER: (True, None)}
    assert {p.id: p.screen_name for p in members.profiles or []}[ANNA] == "anna_k"
    settings = conversations.items[0].chat_settings
    assert settings is not None and settings.title == "Brand chat" and settings.owner_id == emu.admin_id


async def test_community_bans_need_a_managers_user_token(
    emu: VkApiEmulator, group_api: API, admin_api: API, make_api: ApiFactory
) -> None:
    _community(emu)
    end = int(time.time()) + 7 * 86400

    error = await _raises(27, group_api.groups.ban(group_id=emu.group_id, owner_id=ANNA, end_date=end))
    assert error.error_msg == "Group authorization failed: method is unavailable with group auth."
    assert (
        await admin_api.groups.ban(
            group_id=emu.group_id, owner_id=ANNA, end_date=end, reason=1, comment="spam"
        )
        == 1
    )
    banned = await group_api.groups.get_banned(group_id=emu.group_id)
    assert [(item.profile.id, item.ban_info.comment) for item in banned.items] == [(ANNA, "spam")]  # type: ignore[union-attr]
    assert emu.ban_end_date(ANNA) == end
    await _raises(15, make_api(emu.user_token(BORIS)).groups.ban(group_id=emu.group_id, owner_id=ANNA))
    assert await make_api(emu.user_token(MODER)).groups.unban(group_id=emu.group_id, owner_id=ANNA) == 1
    assert not emu.is_banned(ANNA)
    await admin_api.groups.ban(group_id=emu.group_id, owner_id=BORIS, end_date=end)
    emu.advance_clock(8 * 86400)
    assert not emu.is_banned(BORIS)
    assert [e["type"] for e in emu.events] == ["user_block", "user_unblock", "user_block"]


async def test_managers_and_people(emu: VkApiEmulator, group_api: API) -> None:
    _community(emu)

    # Raw: vkbottle_types' model for filter=managers wrongly requires a nested "response" key.
    managers = await group_api.request("groups.getMembers", {"group_id": emu.group_id, "filter": "managers"})
    people = await group_api.users.get(user_ids=[ANNA, "mira", 99], fields=["screen_name"])
    resolved = await group_api.utils.resolve_screen_name(screen_name="anna_k")
    unknown = await group_api.request("utils.resolveScreenName", {"screen_name": "nobody_here"})

    assert managers["response"]["items"] == [
        {"id": emu.admin_id, "role": "creator"},
        {"id": MODER, "role": "moderator"},
    ]
    assert [(p.id, p.first_name) for p in people] == [(ANNA, "Анна"), (MODER, "Mira"), (99, "DELETED")]
    assert (resolved.object_id, resolved.type.value) == (ANNA, "user")  # type: ignore[union-attr]
    assert unknown["response"] == []


async def test_wall_and_board_comments(emu: VkApiEmulator, group_api: API, admin_api: API) -> None:
    _community(emu)
    post = emu.add_wall_post("Новый тариф")
    spam = emu.wall_comment(post, BORIS, "cheap followers t.me/spam")
    emu.edit_wall_comment(spam["id"], "cheap followers t.me/spam2")
    topic = emu.add_board_topic("Вопросы")
    question = emu.board_comment(topic, ANNA, "Как сменить тариф?")

    await _raises(27, group_api.wall.delete_comment(owner_id=-emu.group_id, comment_id=spam["id"]))
    assert await admin_api.wall.delete_comment(owner_id=-emu.group_id, comment_id=spam["id"]) == 1
    reply = await group_api.wall.create_comment(owner_id=-emu.group_id, post_id=post, message="Спам удалён")
    assert (
        await group_api.board.delete_comment(group_id=emu.group_id, topic_id=topic, comment_id=question["id"])
        == 1
    )

    assert emu.comment_deleted(spam["id"]) and emu.comment_deleted(question["id"], topic_id=topic)
    assert spam["id"] > post and reply.comment_id > spam["id"]
    kinds = [e["type"] for e in emu.events]
    assert kinds == [
        "wall_reply_new",
        "wall_reply_edit",
        "board_post_new",
        "wall_reply_delete",
        "wall_reply_new",
        "board_post_delete",
    ]
    assert emu.events[4]["object"]["from_id"] == -emu.group_id


async def test_execute_runs_a_batch(emu: VkApiEmulator, group_api: API) -> None:
    peer = _community(emu)
    spam = emu.send_chat_message(peer, BORIS, "spam")
    code = (
        f'return [API.messages.delete({{"peer_id": {peer}, "cmids": [{spam["conversation_message_id"]}], '
        f'"delete_for_all": 1}}), API.messages.removeChatUser({{chat_id: {CHAT_ID}, member_id: 404}})];'
    )

    answer = await group_api.request("execute", {"code": code})
    compile_error = await _raises(12, group_api.execute("var a = 1; return a;"))

    assert answer["response"][0][0]["response"] == 1 and answer["response"][1] is False
    assert answer["execute_errors"] == [
        {"method": "messages.removeChatUser", "error_code": 935, "error_msg": "User not found in chat"}
    ]
    assert [(c.method, c.in_execute) for c in emu.calls if c.in_execute] == [
        ("messages.delete", True),
        ("messages.removeChatUser", True),
    ]
    assert compile_error.code == 12


async def test_callback_button_answer(emu: VkApiEmulator, group_api: API) -> None:
    peer = _community(emu)
    await group_api.messages.send(
        peer_id=peer,
        random_id=0,
        message="Жалоба",
        keyboard=Keyboard(inline=True).add(Callback("OK", payload={"a": 1})).get_json(),
    )
    event_id = emu.press_callback_button(peer, MODER, {"a": 1})
    snackbar = json.dumps({"type": "show_snackbar", "text": "Готово"})

    await group_api.messages.send_message_event_answer(
        event_id=event_id, user_id=MODER, peer_id=peer, event_data=snackbar
    )

    assert emu.button_answer(event_id) == {"type": "show_snackbar", "text": "Готово"}
    await _raises(
        100, group_api.messages.send_message_event_answer(event_id=event_id, user_id=MODER, peer_id=peer)
    )


async def test_errors_vkbottle_raises(emu: VkApiEmulator, group_api: API, make_api: ApiFactory) -> None:
    revoked = emu.user_token(emu.admin_id)
    emu.revoke_token(revoked)
    emu.fail_next("users.get", 9)

    assert (await _raises(3, group_api.request("messages.nope", {}))).error_msg == "Unknown method passed"
    error = await _raises(5, make_api(revoked).users.get())
    assert error.error_msg == "User authorization failed: invalid access_token (4)."
    assert (await _raises(9, group_api.users.get(user_ids=[1]))).error_msg == "Flood control"
    await _raises(15, make_api(emu.admin_token).messages.send(peer_id=1, random_id=0, message="x"))
    assert (await group_api.users.get(user_ids=[1]))[0].id == 1


async def test_rate_limit_of_a_group_token(emu: VkApiEmulator, group_api: API) -> None:
    results = await asyncio.gather(
        *(group_api.users.get(user_ids=[1]) for _ in range(25)), return_exceptions=True
    )

    too_many = [r for r in results if isinstance(r, VKAPIError)]
    assert len(too_many) == 5 and all(r.code == 6 for r in too_many)
    assert too_many[0].error_msg == "Too many requests per second"


# --- events -------------------------------------------------------------------------------------


async def test_bot_polling_receives_events_in_the_bots_long_poll_format(
    emu: VkApiEmulator, group_api: API
) -> None:
    peer = _community(emu)
    polling = BotPolling(group_api, group_id=emu.group_id)
    updates = polling.listen()
    first = asyncio.ensure_future(anext(updates))
    await emu.wait_for("groups.getLongPollServer")

    sent = emu.send_chat_message(peer, ANNA, "hi", reply_to=None)
    event = (await asyncio.wait_for(first, 5))["updates"][0]

    assert set(event) == {"group_id", "type", "event_id", "v", "object"}
    assert (event["type"], event["v"], event["group_id"]) == ("message_new", "5.199", emu.group_id)
    message = event["object"]["message"]
    assert (message["id"], message["peer_id"], message["conversation_message_id"]) == (
        0,
        peer,
        sent["conversation_message_id"],
    )
    assert "callback" in event["object"]["client_info"]["button_actions"]
    await updates.aclose()


async def test_bot_handles_messages_and_wall_comments_and_recovers_from_long_poll_failures(
    emu: VkApiEmulator, group_api: API
) -> None:
    peer = _community(emu)
    post = emu.add_wall_post("Акция")
    bot = Bot(api=group_api)
    comments: list[str] = []

    @bot.on.chat_message(text="ping <n>")
    async def ping(message: Message, n: str) -> None:
        await message.reply(f"pong {n}")

    @bot.on.raw_event(GroupEventType.WALL_REPLY_NEW, dataclass=GroupTypes.WallReplyNew)
    async def wall_reply(event: GroupTypes.WallReplyNew) -> None:
        comments.append(event.object.text)

    async def pinged(n: int) -> None:
        emu.send_chat_message(peer, ANNA, f"ping {n}")
        await emu.wait_for("messages.send", lambda call: call.params["message"] == f"pong {n}")

    running = asyncio.create_task(bot.run_polling())
    try:
        await emu.wait_for("groups.getLongPollServer")
        await pinged(1)
        reply = emu.sent_messages(peer)[-1]["reply_message"]
        assert (reply["from_id"], reply["text"]) == (ANNA, "ping 1")

        emu.wall_comment(post, BORIS, "где скидка?")
        for _ in range(100):
            if comments:
                break
            await asyncio.sleep(0.01)
        assert comments == ["где скидка?"]

        emu.fail_long_poll(2)  # key expired: a new key, the same ts, nothing lost
        emu.send_chat_message(peer, ANNA, "ping 2")
        await emu.wait_for("messages.send", lambda call: call.params["message"] == "pong 2")
        assert len(emu.calls_to("groups.getLongPollServer")) == 2

        emu.send_chat_message(peer, ANNA, "ping lost")  # not fetched yet when the history is outdated
        emu.fail_long_poll(1)  # history outdated: the bot goes on from the ts given with the failure
        await pinged(3)
        emu.fail_long_poll(3)  # information lost: a new key and ts
        mark = emu.mark()
        await emu.wait_for("groups.getLongPollServer", since=mark)
        await pinged(4)
        assert [c.params["message"] for c in emu.calls_to("messages.send")] == [
            "pong 1",
            "pong 2",
            "pong 3",
            "pong 4",
        ]
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_callback_api_delivery(emu: VkApiEmulator) -> None:
    received: list[dict[str, Any]] = []

    async def handle(request: web.Request) -> web.Response:
        body = await request.json()
        if body["type"] == "confirmation":
            return web.Response(text=emu.confirmation_code)
        received.append(body)
        return web.Response(text="ok" if len(received) > 1 else "retry")

    app = web.Application()
    app.router.add_post("/vk", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/vk"
    try:
        assert await emu.set_callback_server(url, secret="s3cret")
        emu.add_user(ANNA, "Анна")
        emu.send_private_message(ANNA, "здравствуйте")
        for _ in range(100):
            if len(received) == 2:
                break
            await asyncio.sleep(0.02)
    finally:
        await runner.cleanup()

    assert [(b["type"], b["secret"]) for b in received] == [("message_new", "s3cret")] * 2
    assert received[0]["event_id"] == received[1]["event_id"]
    assert [d.attempt for d in emu.callback_deliveries if d.event_type == "message_new"] == [1, 2]
