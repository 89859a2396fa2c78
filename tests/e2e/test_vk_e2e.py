"""The VK bot against the VK API emulator over HTTP on 127.0.0.1: Bots Long Poll in, API calls out.

The bot runs in this process, built as `modbot run` builds it (settings, the handlers, one database, the
long poll state file); the staff chat is a capturing sink standing in for the Telegram one, or the VK
conversation VK_STAFF_PEER_ID. Time moves by the emulator's clock: VK dates every message, and the bot
judges bans by those dates.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from modbot_emulators.vk import Call, VkApiEmulator

from bot.policy_commands import copy_default_policy
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.vk.app import VkBot
from bot.vk.checks import check_vk
from handlers.actions import NotifyStaff
from handlers.escalation import Escalation, load_desk
from handlers.moderation import Moderation
from handlers.staff import Command, Staff
from handlers.tickets import TicketCommands
from policies.compile import CompiledPolicy, load_policy
from policies.faq.decide import FaqDesk
from storage import Database

ANNA, BORIS, MODER, GOSHA = 11, 12, 13, 14
SWEAR = "ну ты 6лять даёшь"
DAY = 86400
Policy = tuple[Path, CompiledPolicy, FaqDesk]


class Harness:
    """Starts and stops VK bots on one database and one long poll state, as restarts of `modbot run`."""

    def __init__(self, emu: VkApiEmulator, folder: Path, policy: Policy) -> None:
        self.emu = emu
        self.folder = folder
        self.policy_file, self.policy, self.desk = policy
        self.cards: list[NotifyStaff] = []
        self.bot: VkBot | None = None
        self._task: asyncio.Task[None] | None = None
        self._db: Database | None = None
        self._scheduler: Scheduler | None = None
        self.staff: Staff | None = None

    def settings(self, **extra: object) -> Settings:
        assert self.emu.base_url is not None
        values: dict[str, object] = {
            "vk_group_token": self.emu.group_token,
            "vk_group_id": self.emu.group_id,
            "vk_admin_token": self.emu.admin_token,
            "vk_api_base": self.emu.base_url,
            "vk_longpoll_state": self.folder / "vk-longpoll.json",
            "telegram_bot_token": "123:fake",  # Telegram is the staff chat, unless a test says otherwise
            "staff_chat_id": -1,
            "database_url": f"sqlite+aiosqlite:///{self.folder / 'modbot.sqlite3'}",
            "policy_file": self.policy_file,
            **extra,
        }
        return Settings(_env_file=None, **values)  # type: ignore[arg-type]

    async def start(self, staff_peer: int | None = None, **extra: object) -> VkBot:
        if staff_peer is not None:
            extra |= {"telegram_bot_token": None, "vk_staff_peer_id": staff_peer}
        settings = self.settings(**extra)
        assert await check_vk(settings) is None
        self._db = await Database.open(settings.database_url)
        moderation = Moderation(self.policy, self._db)
        escalation = Escalation(self._db, self.policy, self.desk)
        self.staff = Staff(moderation, lambda: load_policy(settings.policy_file), TicketCommands(escalation))
        self._scheduler = Scheduler()
        self._scheduler.start()

        async def sink(card: NotifyStaff) -> None:
            self.cards.append(card)

        self.bot = VkBot(
            settings,
            moderation,
            self.staff,
            self._scheduler,
            escalation,
            staff_sink=None if staff_peer else sink,
            clock=lambda: datetime.fromtimestamp(self.emu.now(), UTC),
        )
        mark = self.emu.mark()
        self._task = asyncio.create_task(self.bot.start())
        if settings.vk_confirmation_code is None:
            await self.emu.wait_for("groups.getLongPollServer", since=mark)
        return self.bot

    async def stop(self) -> None:
        if self.bot is not None:
            await self.bot.stop()
            assert self._task is not None
            await self._task
            self.bot = None
        if self._scheduler is not None:
            self._scheduler.shutdown()
        if self._db is not None:
            await self._db.close()

    async def card(self, predicate: Callable[[NotifyStaff], bool], timeout: float = 5.0) -> NotifyStaff:
        async with asyncio.timeout(timeout):
            while True:
                found = next((c for c in self.cards if predicate(c)), None)
                if found is not None:
                    return found
                await asyncio.sleep(0.02)


@pytest.fixture
async def emu() -> AsyncIterator[VkApiEmulator]:
    async with VkApiEmulator() as emulator:
        emulator.add_user(ANNA, "Анна", "Котова", "anna_k")
        emulator.add_user(BORIS, "Борис", "Петров")
        emulator.add_user(MODER, "Мира", "Модер")
        emulator.add_user(GOSHA, "Гоша")
        emulator.add_manager(MODER, "moderator")
        yield emulator


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> Policy:
    """The bundled policy, where a flood also mutes for ten minutes (which VK conversations cannot do by
    themselves); compiled once for the module."""
    path = copy_default_policy(tmp_path_factory.mktemp("vk") / "policy")
    text, flood = path.read_text(), "then: [delete, {strike: 1}]"
    assert text.count(flood) == 1, "the flood rule's actions changed: update this fixture"
    path.write_text(text.replace(flood, "then: [delete, {restrict: 10m}, {strike: 1}]"))
    compiled = load_policy(path)
    return path, compiled, load_desk(compiled)


@pytest.fixture
async def harness(emu: VkApiEmulator, tmp_path: Path, policy: Policy) -> AsyncIterator[Harness]:
    made = Harness(emu, tmp_path, policy)
    yield made
    await made.stop()


@pytest.fixture
def peer(emu: VkApiEmulator) -> int:
    return emu.add_chat(1, "Связь+: сообщество", members=[ANNA, BORIS, MODER, GOSHA])


def deleting(peer: int, cmid: int) -> Callable[[Call], bool]:
    return lambda call: call.params.get("peer_id") == peer and cmid in call.params.get("cmids", [])


def to(peer: int) -> Callable[[Call], bool]:
    return lambda call: call.params.get("peer_ids") == [peer]


def kicking(user: int) -> Callable[[Call], bool]:
    return lambda call: call.ok and call.params.get("member_id") == user


async def test_a_violation_is_deleted_warned_and_carded(
    emu: VkApiEmulator, harness: Harness, peer: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    await harness.start()

    swear = emu.send_chat_message(peer, ANNA, SWEAR)["conversation_message_id"]

    await emu.wait_for("messages.delete", deleting(peer, swear))
    warning = await emu.wait_for("messages.send", to(peer))
    assert warning.params["message"].startswith("Анна Котова, сообщение удалено: Нецензурная лексика")
    card = await harness.card(lambda c: c.member == f"vk:{ANNA}")
    assert card.text.startswith("[VK] 🛡 Нецензурная лексика: warn") and card.strike_id is not None
    assert f"vk:{peer}" in card.text and "6лять" in card.text
    assert emu.is_deleted(peer, swear)

    edited = emu.send_chat_message(peer, BORIS, "всем привет")["conversation_message_id"]
    emu.edit_chat_message(peer, edited, SWEAR)
    await emu.wait_for("messages.delete", deleting(peer, edited))
    assert emu.group_token not in caplog.text and emu.admin_token not in caplog.text


async def test_a_conversation_without_admin_rights_is_recorded_and_answered(
    emu: VkApiEmulator, harness: Harness
) -> None:
    quiet = emu.add_chat(3, "Без прав", bot_is_admin=False, members=[ANNA])
    address = f"[club{emu.group_id}|@brand_community]"
    await harness.start()

    emu.send_chat_message(quiet, ANNA, f"{address} 6лять")
    question = emu.send_chat_message(quiet, ANNA, f"{address}, как проверить баланс?")

    answer = await emu.wait_for("messages.send", to(quiet))
    assert answer.params["forward"]["conversation_message_ids"] == [question["conversation_message_id"]]
    assert "*100#" in answer.params["message"]
    report = await harness.card(lambda c: "without admin rights" in c.text)
    assert f"vk:{quiet}" in report.text  # VK shows a title only to an admin
    assert not emu.calls_to("messages.delete") and not [c for c in harness.cards if c.member]


async def test_a_week_ban_kicks_and_a_return_within_it_is_kicked_again(
    emu: VkApiEmulator, harness: Harness, peer: int
) -> None:
    await harness.start()

    first = emu.send_chat_message(peer, GOSHA, SWEAR)["conversation_message_id"]
    await emu.wait_for("messages.delete", deleting(peer, first))
    emu.advance_clock(120)  # a separate incident, not the same burst
    emu.send_chat_message(peer, GOSHA, "опять 6лять")
    await emu.wait_for("messages.removeChatUser", kicking(GOSHA))
    assert GOSHA not in emu.chat_members(peer)

    emu.advance_clock(DAY)
    emu.chat_join(peer, GOSHA)
    await emu.wait_for("messages.removeChatUser", kicking(GOSHA), since=emu.mark())
    assert GOSHA not in emu.chat_members(peer)
    report = await harness.card(lambda c: "came back" in c.text)
    assert f"vk:{GOSHA}" in report.text and "removed again" in report.text

    emu.advance_clock(7 * DAY)
    mark = emu.mark()
    emu.chat_join(peer, GOSHA)
    question = emu.send_chat_message(peer, GOSHA, "как проверить баланс?")["conversation_message_id"]
    answer = await emu.wait_for("messages.send", to(peer))
    assert answer.params["forward"]["conversation_message_ids"] == [question]
    assert not [c for c in emu.calls[mark:] if c.method == "messages.removeChatUser"]
    assert GOSHA in emu.chat_members(peer)


async def test_the_wall_invite_links_managers_and_answers(
    emu: VkApiEmulator, harness: Harness, peer: int
) -> None:
    post = emu.add_wall_post("Новый тариф «Связь+ Безлимит»")
    await harness.start()

    managers = emu.wall_comment(post, MODER, "вступайте t.me/joinchat/xxxx")["id"]
    emu.send_chat_message(peer, MODER, SWEAR)
    spam = emu.wall_comment(post, ANNA, "вступайте t.me/joinchat/xxxx")["id"]
    question = emu.wall_comment(post, BORIS, "как проверить баланс?")["id"]
    chat_question = emu.send_chat_message(peer, BORIS, "как проверить баланс?")["conversation_message_id"]

    await emu.wait_for("wall.deleteComment", lambda call: call.params["comment_id"] == spam)
    emu.edit_wall_comment(question, "как проверить баланс? вступайте t.me/joinchat/xxxx")
    await emu.wait_for("wall.deleteComment", lambda call: call.params["comment_id"] == question)
    answer = await emu.wait_for(
        "wall.createComment", lambda call: call.params.get("reply_to_comment") == question
    )
    assert answer.params["message"].startswith("Борис Петров, ") and "*100#" in answer.params["message"]
    in_chat = await emu.wait_for("messages.send", to(peer))
    assert in_chat.params["forward"]["conversation_message_ids"] == [chat_question]
    assert emu.comment_deleted(spam) and not emu.comment_deleted(managers)
    assert not emu.calls_to("messages.delete")  # the manager's swearing stays
    card = await harness.card(lambda c: c.member == f"vk:{ANNA}")
    assert "vk:wall:" in card.text and "t.me/joinchat" in card.text


async def test_restart_loses_nothing_and_handles_nothing_twice(
    emu: VkApiEmulator, harness: Harness, peer: int
) -> None:
    await harness.start()
    first = emu.send_chat_message(peer, ANNA, SWEAR)["conversation_message_id"]
    await emu.wait_for("messages.delete", deleting(peer, first))
    await harness.stop()

    emu.advance_clock(120)
    while_down = emu.send_chat_message(peer, ANNA, "6лять, где связь")["conversation_message_id"]
    await harness.start()

    await emu.wait_for("messages.delete", deleting(peer, while_down))
    await emu.wait_for("messages.removeChatUser", kicking(ANNA))  # the first strike was kept: a ban
    await harness.stop()

    # A crash before the ts was saved: VK sends everything again, and nothing is done twice.
    calls = {m: len(emu.calls_to(m)) for m in ("messages.delete", "messages.send", "messages.removeChatUser")}
    (harness.folder / "vk-longpoll.json").write_text(json.dumps({"ts": "1"}))
    await harness.start()
    marker = emu.send_chat_message(peer, BORIS, "как проверить баланс?")["conversation_message_id"]
    await emu.wait_for(
        "messages.send", lambda c: c.params.get("forward", {}).get("conversation_message_ids") == [marker]
    )
    assert len(emu.calls_to("messages.delete")) == calls["messages.delete"]
    assert len(emu.calls_to("messages.removeChatUser")) == calls["messages.removeChatUser"]
    assert len(emu.calls_to("messages.send")) == calls["messages.send"] + 1


async def test_rate_limits_long_poll_failures_and_a_flood_mute(
    emu: VkApiEmulator, harness: Harness, peer: int
) -> None:
    await harness.start()
    emu.fail_next("messages.delete", 6)

    swear = emu.send_chat_message(peer, BORIS, SWEAR)["conversation_message_id"]
    await emu.wait_for("messages.delete", lambda c: c.ok and swear in c.params["cmids"])
    assert [c.error_code for c in emu.calls_to("messages.delete")] == [6, None]

    mark = emu.mark()
    emu.fail_long_poll(2)  # a new key, the same ts
    emu.fail_long_poll(3)  # a new key and ts: VK loses what came before it
    renewed = await emu.wait_for("groups.getLongPollServer", since=mark)
    await emu.wait_for("groups.getLongPollServer", since=emu.calls.index(renewed) + 1)
    emu.advance_clock(120)
    flood = [emu.send_chat_message(peer, ANNA, f"ау {n}")["conversation_message_id"] for n in range(6)]
    await emu.wait_for("messages.delete", lambda c: c.params["cmids"] == flood)
    muted = emu.send_chat_message(peer, ANNA, "я просто спросить")["conversation_message_id"]
    await emu.wait_for("messages.delete", deleting(peer, muted))
    emu.advance_clock(11 * 60)
    question = emu.send_chat_message(peer, ANNA, "как проверить баланс?")["conversation_message_id"]
    answer = await emu.wait_for("messages.send", lambda c: "*100#" in c.params["message"])
    assert answer.params["forward"]["conversation_message_ids"] == [question]
    assert not emu.is_deleted(peer, question)

    emu.revoke_token(emu.group_token)  # the long poll cannot go on: the staff chat is told, once
    emu.fail_long_poll(2)
    report = await harness.card(lambda c: "long poll fails" in c.text)
    assert "VK error 5" in report.text
    await asyncio.sleep(0.5)
    assert len([c for c in harness.cards if "long poll fails" in c.text]) == 1


async def test_the_answer_to_a_message_deleted_later_goes_with_it(
    emu: VkApiEmulator, harness: Harness, peer: int
) -> None:
    await harness.start()
    question = emu.send_chat_message(peer, ANNA, "как проверить баланс?")["conversation_message_id"]
    answer = await emu.wait_for("messages.send", to(peer))
    (sent,) = answer.result_or_error
    flood = [emu.send_chat_message(peer, ANNA, f"ау {n}")["conversation_message_id"] for n in range(5)]
    deleted = await emu.wait_for("messages.delete", lambda c: flood[-1] in c.params["cmids"])
    assert {question, *flood, sent["conversation_message_id"]} == set(deleted.params["cmids"])


async def test_suggestions_and_a_ticket_answered_by_staff(
    emu: VkApiEmulator, harness: Harness, peer: int
) -> None:
    bot = await harness.start()

    question = "поменять тариф или подключить опцию"  # suggested whether meaning is consulted or not
    asked = emu.send_chat_message(peer, ANNA, question)["conversation_message_id"]
    suggestion = await emu.wait_for("messages.send", lambda c: "keyboard" in c.params)
    payload = suggestion.params["keyboard"]["buttons"][0][0]["action"]["payload"]
    mark = emu.mark()
    pressed = emu.press_callback_button(peer, ANNA, json.loads(payload))
    picked = await emu.wait_for("messages.send", to(peer), since=mark)
    assert picked.params["forward"]["conversation_message_ids"] == [asked]
    await emu.wait_for("messages.sendMessageEventAnswer", since=mark)
    assert emu.button_answered(pressed)

    problem = emu.send_chat_message(peer, BORIS, "не работает интернет третий день, что делать?")
    card = await harness.card(lambda c: c.ticket_id is not None)
    assert "vk:12" in card.text
    assert harness.staff is not None
    reply = await harness.staff.run(
        Command(
            "reply", (str(card.ticket_id), "Проверили: авария устранена"), "tg:1", datetime.now(UTC), "tg"
        )
    )
    await bot.executor.run(reply.actions)  # what the wiring does with actions for VK chats
    relayed = emu.sent_messages(peer)[-1]
    assert "авария устранена" in relayed["text"]
    assert relayed["reply_message"]["conversation_message_id"] == problem["conversation_message_id"]


async def test_a_member_who_wrote_to_the_community_is_answered_privately(
    emu: VkApiEmulator, harness: Harness, peer: int
) -> None:
    bot = await harness.start()
    emu.send_private_message(BORIS, "Здравствуйте")
    await emu.wait_for("messages.send", to(BORIS))
    assert "Ответы команды поддержки" in emu.sent_messages(BORIS)[-1]["text"]
    problem = emu.send_chat_message(peer, BORIS, "не работает интернет третий день, что делать?")
    card = await harness.card(lambda c: c.ticket_id is not None)
    assert harness.staff is not None

    async def staff_reply(text: str) -> None:
        at = datetime.now(UTC)
        reply = await harness.staff.run(Command("reply", (str(card.ticket_id), text), "tg:1", at, "tg"))
        await bot.executor.run(reply.actions)

    await staff_reply("Проверили: авария устранена")
    assert "авария устранена" in emu.sent_messages(BORIS)[-1]["text"]
    assert not [m for m in emu.sent_messages(peer) if "авария" in m["text"]]

    emu.world.user(BORIS).messages_allowed = False  # the member turned the community's messages off
    await staff_reply("Напишите, если повторится")
    relayed = emu.sent_messages(peer)[-1]
    assert "Напишите, если повторится" in relayed["text"]
    assert relayed["reply_message"]["conversation_message_id"] == problem["conversation_message_id"]

    emu.world.user(BORIS).messages_allowed = True  # a question in the dialog itself is answered there
    emu.send_private_message(BORIS, "как проверить баланс?")
    await emu.wait_for("messages.send", lambda c: to(BORIS)(c) and "*100#" in c.params.get("message", ""))


async def test_a_vk_conversation_as_the_staff_chat(emu: VkApiEmulator, harness: Harness, peer: int) -> None:
    staff = emu.add_chat(2, "Модераторы", members=[MODER, GOSHA])
    await harness.start(staff_peer=staff)

    emu.send_chat_message(peer, ANNA, SWEAR)
    card = await emu.wait_for("messages.send", to(staff))
    assert "vk:11" in card.params["message"]
    buttons = card.params["keyboard"]["buttons"][0]
    forever = json.loads(buttons[2]["action"]["payload"])
    assert forever["data"].startswith("forever:")

    refused = emu.press_callback_button(staff, GOSHA, forever)
    await emu.wait_for("messages.sendMessageEventAnswer", lambda c: c.params["event_id"] == refused)
    assert emu.button_answer(refused) == {"type": "show_snackbar", "text": "Only moderators can do this."}
    emu.press_callback_button(staff, MODER, forever)
    await emu.wait_for("messages.removeChatUser", kicking(ANNA))

    emu.send_chat_message(staff, GOSHA, "/ban vk:12 7d")
    command = emu.send_chat_message(staff, MODER, "/ban vk:12 7d")["conversation_message_id"]
    await emu.wait_for("messages.removeChatUser", kicking(BORIS))
    answer = await emu.wait_for(
        "messages.send",
        lambda c: c.params.get("forward", {}).get("conversation_message_ids") == [command],
    )
    assert answer.params["message"].startswith("✅ vk:12: ban until")
    assert emu.is_banned(BORIS)  # the community ban too, through the wall and board it covers

    problem = emu.send_chat_message(peer, GOSHA, "не работает интернет третий день, что делать?")
    ticket = await emu.wait_for("messages.send", lambda c: to(staff)(c) and "Ticket #" in c.params["message"])
    card = next(m for m in emu.sent_messages(staff) if m["random_id"] == ticket.params["random_id"])
    emu.send_chat_message(
        staff, MODER, "Проверили: авария устранена", reply_to=card["conversation_message_id"]
    )
    relayed = await emu.wait_for("messages.send", lambda c: "авария устранена" in c.params["message"])
    assert relayed.params["peer_ids"] == [peer]
    assert relayed.params["forward"]["conversation_message_ids"] == [problem["conversation_message_id"]]
    assert [c.params["owner_id"] for c in emu.calls_to("groups.ban") if c.ok] == [ANNA, BORIS]  # once each


async def test_the_callback_api_instead_of_long_poll(emu: VkApiEmulator, harness: Harness, peer: int) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    await harness.start(
        vk_confirmation_code=emu.confirmation_code,
        vk_callback_secret="s3cret",
        vk_callback_port=port,
    )
    url = f"http://127.0.0.1:{port}/vk"
    async with aiohttp.ClientSession() as session:
        for _ in range(100):  # until the bot listens
            try:
                async with session.post(url, json={"group_id": 1}) as refused:
                    assert refused.status == 403
                    break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
        forged = {"group_id": emu.group_id, "type": "message_new", "event_id": "x", "object": {}}
        async with session.post(url, json=forged) as response:
            assert response.status == 403

    assert await emu.set_callback_server(url, secret="s3cret")
    swear = emu.send_chat_message(peer, ANNA, SWEAR)["conversation_message_id"]
    await emu.wait_for("messages.delete", deleting(peer, swear))
    for _ in range(100):  # VK records the answer once the bot has handled the event
        if any(d.event_type == "message_new" for d in emu.callback_deliveries):
            break
        await asyncio.sleep(0.02)
    assert [(d.status, d.body) for d in emu.callback_deliveries if d.event_type == "message_new"] == [
        (200, "ok")
    ]
    assert not emu.calls_to("groups.getLongPollServer")
