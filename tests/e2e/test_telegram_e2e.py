"""The real `modbot run` process against the Bot API emulator over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from modbot_emulators.telegram import BotApiEmulator, Call
from modbot_emulators.vk import VkApiEmulator

from bot.policy_commands import copy_default_policy

GROUP, STAFF = -1001000000001, -1001000000002
MEMBER, ADMIN, MODERATOR, OTHER = 101, 102, 103, 104
VK_MEMBER = 501
MODBOT = Path(sys.executable).parent / "modbot"
SWEAR = "ну ты 6лять даёшь, опять связь пропала"


class BotProcess:
    def __init__(self, emu: BotApiEmulator, env: dict[str, str], cwd: Path) -> None:
        self.emu = emu
        self.env = env
        self.cwd = cwd
        self.proc: asyncio.subprocess.Process | None = None
        self.log = cwd / "modbot.log"

    async def start(self, ready: str = "deleteWebhook") -> None:
        with self.log.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                str(MODBOT), "run", env=self.env, cwd=self.cwd, stdout=log, stderr=log
            )
        try:  # ready once it is about to poll, or has set its webhook
            await self.emu.wait_for(ready, since=len(self.emu.calls), timeout=60)
        except TimeoutError:
            raise AssertionError(f"modbot run did not start polling:\n{self.output()}") from None

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        return self.proc.returncode or 0

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator()
    await emulator.start()
    emulator.add_user(MEMBER, "Гоша", "gosha77")
    emulator.add_user(ADMIN, "Анна", "anna_admin")
    emulator.add_user(MODERATOR, "Мария", "maria_mod")
    emulator.add_user(OTHER, "Олег", "oleg")
    emulator.add_chat(GROUP, "supergroup", "Волна: сообщество")
    emulator.add_chat(STAFF, "supergroup", "Волна: модераторы")
    for user in (MEMBER, OTHER):
        emulator.set_member(GROUP, user)
    emulator.set_member(GROUP, ADMIN, "administrator")
    emulator.set_member(GROUP, emulator.bot_id, "administrator")
    emulator.set_member(STAFF, MODERATOR, "administrator")
    emulator.set_member(STAFF, emulator.bot_id, "administrator")
    yield emulator
    await emulator.stop()


@pytest.fixture
def make_bot(emu: BotApiEmulator, tmp_path: Path) -> Callable[..., BotProcess]:
    def make(**extra: str) -> BotProcess:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "TELEGRAM_BOT_TOKEN": emu.token,
            "TELEGRAM_API_BASE": str(emu.base_url),
            "STAFF_CHAT_ID": str(STAFF),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'modbot.sqlite3'}",
            "LOG_LEVEL": "INFO",
            **extra,
        }
        return BotProcess(emu, env, tmp_path)

    return make


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    """A copy of the bundled policy that a test may edit; bursts collapse within 1 s here, so separate
    incidents need no minute-long waits."""
    policy = copy_default_policy(tmp_path / "policy")
    policy.write_text(policy.read_text().replace("collapse_within: 60s", "collapse_within: 1s"))
    return policy


@pytest.fixture
async def bot(make_bot: Callable[..., BotProcess]) -> AsyncIterator[BotProcess]:
    process = make_bot()
    await process.start()
    yield process
    await process.stop()


def to(chat: int) -> Callable[[Call], bool]:
    return lambda call: call.params.get("chat_id") == chat


def deleting(chat: int, message_id: int) -> Callable[[Call], bool]:
    return lambda call: call.params.get("chat_id") == chat and call.params.get("message_id") == message_id


async def test_a_violation_is_deleted_warned_and_carded(emu: BotApiEmulator, bot: BotProcess) -> None:
    message = emu.send_message(GROUP, MEMBER, SWEAR)
    await emu.wait_for("deleteMessage", deleting(GROUP, message["message_id"]), timeout=20)
    warning = await emu.wait_for("sendMessage", to(GROUP))
    assert "@gosha77" in warning.params["text"] and "предупреждение" in warning.params["text"].lower()
    card = await emu.wait_for("sendMessage", to(STAFF))
    text = card.params["text"]
    assert "tg:101" in text and "6лять" in text and "warn" in text
    buttons = [b["callback_data"] for b in card.params["reply_markup"]["inline_keyboard"][0]]
    assert [b.split(":")[0] for b in buttons] == ["undo", "pardon", "forever"]
    assert emu.is_deleted(GROUP, message["message_id"])
    assert emu.token not in bot.output()


async def test_admins_and_clean_complaints_are_left_alone(emu: BotApiEmulator, bot: BotProcess) -> None:
    admin = emu.send_message(GROUP, ADMIN, SWEAR)
    complaint = emu.send_message(GROUP, OTHER, "ВЫ ИЗДЕВАЕТЕСЬ?! Третий день нет интернета, верните деньги!")
    marker = emu.send_message(GROUP, MEMBER, "t.me/+AbCdEfGh123 заходи, там халява")
    await emu.wait_for("deleteMessage", deleting(GROUP, marker["message_id"]), timeout=20)
    deleted = {c.params.get("message_id") for c in emu.calls_to("deleteMessage")}
    assert admin["message_id"] not in deleted and complaint["message_id"] not in deleted


async def test_staff_buttons_and_commands(emu: BotApiEmulator, bot: BotProcess) -> None:
    emu.send_message(GROUP, MEMBER, SWEAR)
    card_call = await emu.wait_for("sendMessage", to(STAFF), timeout=20)
    card_id = card_call.result_or_error["message_id"]
    undo = card_call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

    emu.mark()
    emu.press_button(STAFF, card_id, OTHER, undo)  # not a moderator: refused
    await emu.wait_for("answerCallbackQuery")
    assert not emu.calls_to("editMessageText")

    emu.mark()
    emu.press_button(STAFF, card_id, MODERATOR, undo)
    edit = await emu.wait_for("editMessageText")
    assert "undone by @maria_mod" in edit.params["text"]

    emu.mark()
    emu.send_message(STAFF, MODERATOR, "/ban tg:101 7d")
    ban = await emu.wait_for("banChatMember")
    assert ban.params["chat_id"] == GROUP and ban.params["user_id"] == MEMBER
    assert abs(ban.params["until_date"] - (time.time() + 7 * 86400)) < 120
    await emu.wait_for("sendMessage", lambda c: c.params["chat_id"] == STAFF and "ban" in c.params["text"])

    emu.mark()
    emu.send_message(STAFF, MODERATOR, "/history @gosha77")
    history = await emu.wait_for("sendMessage", to(STAFF))
    assert "strike" in history.params["text"] and "pardoned" in history.params["text"]

    emu.mark()
    emu.send_message(STAFF, MODERATOR, "/ban tg:101 soon")
    usage = await emu.wait_for("sendMessage", to(STAFF))
    assert "not a duration" in usage.params["text"] and "Traceback" not in bot.output()

    for command, expect, method in (
        ("/unban tg:101", "unbanned", "unbanChatMember"),
        ("/mute 101 2h", "mute until", "restrictChatMember"),
        ("/pardon @gosha77", "no active strike", None),
        ("/warn tg:101", "warned", None),
        ("/pardon tg:101", "pardoned", None),
        ("/help", "/history", None),
        ("/mute tg:101", "usage", None),
    ):
        emu.mark()
        emu.send_message(STAFF, MODERATOR, command)
        answer = await emu.wait_for("sendMessage", to(STAFF))
        assert expect in answer.params["text"], (command, answer.params["text"])
        if method:
            assert (await emu.wait_for(method)).params["user_id"] == MEMBER

    emu.mark()
    emu.send_message(STAFF, OTHER, "/ban tg:101")  # a member of the staff chat who is not an admin
    emu.send_message(STAFF, MODERATOR, "/stats")
    stats = await emu.wait_for("sendMessage", to(STAFF))
    assert "profanity" in stats.params["text"]
    assert len(emu.calls_to("banChatMember")) == 1


async def test_reload_with_a_broken_policy_keeps_the_old_one(
    emu: BotApiEmulator, make_bot: Callable[..., BotProcess], policy_file: Path
) -> None:
    policy = policy_file
    process = make_bot(POLICY_FILE=str(policy))
    await process.start()
    try:
        policy.write_text(policy.read_text().replace("ladder:", "ladder:\n  bogus_key: 1\n", 1))
        emu.send_message(STAFF, MODERATOR, "/reload")
        answer = await emu.wait_for("sendMessage", to(STAFF), timeout=20)
        assert "reload failed" in answer.params["text"] and "bogus_key" in answer.params["text"]
        emu.mark()
        message = emu.send_message(GROUP, MEMBER, SWEAR)  # the old policy still moderates
        await emu.wait_for("deleteMessage", deleting(GROUP, message["message_id"]))
    finally:
        await process.stop()


async def test_429_is_retried_after_the_pause(emu: BotApiEmulator, bot: BotProcess) -> None:
    emu.fail_next("sendMessage", retry_after=1)
    emu.send_message(GROUP, MEMBER, SWEAR)
    await emu.wait_for("sendMessage", lambda c: c.ok and c.params["chat_id"] == GROUP, timeout=20)
    failed, retried = [c for c in emu.calls_to("sendMessage") if c.params["chat_id"] == GROUP][:2]
    assert failed.error_code == 429 and retried.ok and retried.at - failed.at >= 0.9


async def test_the_ladder_across_incidents_ends_in_a_permanent_ban(
    emu: BotApiEmulator, make_bot: Callable[..., BotProcess], policy_file: Path
) -> None:
    process = make_bot(POLICY_FILE=str(policy_file))
    await process.start()
    try:
        bans = []
        for number, days in enumerate((None, 7, 30, "forever"), start=1):
            emu.mark()
            emu.set_member(GROUP, MEMBER)  # back in the group, as if a moderator had let them in
            message = emu.send_message(GROUP, MEMBER, f"{SWEAR} ({number})")
            await emu.wait_for("deleteMessage", deleting(GROUP, message["message_id"]), timeout=20)
            await emu.wait_for("sendMessage", to(STAFF))
            if days is not None:
                bans.append((days, (await emu.wait_for("banChatMember")).params.get("until_date")))
            await asyncio.sleep(
                2.1
            )  # dates are whole seconds; past collapse_within: the next one is a new incident
        (_, week), (_, month), (_, forever) = bans
        assert abs(week - (time.time() + 7 * 86400)) < 120
        assert abs(month - (time.time() + 30 * 86400)) < 120
        assert forever in (None, 0)
        assert len(emu.calls_to("banChatMember")) == 3
    finally:
        await process.stop()


async def outbox_emptied(database: Path, timeout: float = 10) -> None:
    """Until the bot has recorded its posts as sent: a kill before that would send them again (at least
    once), which is not what a test of redelivered updates is about."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(database) as connection:
            if not connection.execute("SELECT count(*) FROM outbox").fetchone()[0]:
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox kept posts that were sent")


async def test_restart_loses_nothing_and_handles_nothing_twice(
    emu: BotApiEmulator, make_bot: Callable[..., BotProcess], tmp_path: Path
) -> None:
    first = make_bot()
    await first.start()
    emu.send_message(GROUP, MEMBER, SWEAR)
    await emu.wait_for("sendMessage", to(STAFF), timeout=20)
    await outbox_emptied(tmp_path / "modbot.sqlite3")
    await first.stop(signal.SIGKILL)  # a crash: whatever was not committed must not count

    second = make_bot()
    await second.start()
    try:
        emu.mark()
        burst = emu.send_message(GROUP, MEMBER, "переходите в t.me/+AbCdEfGh123, там дешевле")
        await emu.wait_for("deleteMessage", deleting(GROUP, burst["message_id"]), timeout=20)
        emu.send_message(STAFF, MODERATOR, "/history tg:101")
        history = await emu.wait_for("sendMessage", to(STAFF))
        strikes = [line for line in history.params["text"].splitlines() if line.startswith("strike")]
        assert len(strikes) == 1 and "×2" in strikes[0], history.params["text"]  # one incident, kept
        cards = [c for c in emu.calls_to("sendMessage") if c.params["chat_id"] == STAFF]
        assert len([c for c in cards if "🛡" in c.params["text"]]) == 1
    finally:
        await second.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_webhook_mode_takes_updates_with_the_secret_only(
    emu: BotApiEmulator, make_bot: Callable[..., BotProcess]
) -> None:
    port = free_port()
    process = make_bot(
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        WEBHOOK_SECRET="s3cret-Token_1",
        WEBHOOK_HOST="127.0.0.1",
        WEBHOOK_PORT=str(port),
    )
    await process.start(ready="setWebhook")
    try:
        message = emu.send_message(GROUP, MEMBER, SWEAR)
        await emu.wait_for("deleteMessage", deleting(GROUP, message["message_id"]), timeout=20)
        assert emu.webhook_deliveries[0].status == 200
        forged = {
            "update_id": 999_999,
            "message": {**message, "message_id": 9999, "text": "t.me/+forged"},
        }
        assert await emu.post_to_webhook(forged, secret=None) == 401
        assert await emu.post_to_webhook(forged, secret="wrong") == 401
        await asyncio.sleep(1)
        assert not [c for c in emu.calls_to("deleteMessage") if c.params.get("message_id") == 9999]
        assert "s3cret-Token_1" not in process.output() and emu.token not in process.output()
    finally:
        await process.stop()


async def test_groups_newcomers_rights_and_reply_commands(emu: BotApiEmulator, bot: BotProcess) -> None:
    link = "Смотрите, что нашёл: https://example-deals.ru/sale"
    NEWCOMER = 105
    emu.add_user(NEWCOMER, "Новичок", "newbie")
    joined = emu.join(GROUP, NEWCOMER)
    await emu.wait_for("deleteMessage", deleting(GROUP, joined["message_id"]), timeout=20)  # service message
    old_hand = emu.send_message(GROUP, OTHER, link)
    newcomer = emu.send_message(GROUP, NEWCOMER, link)
    await emu.wait_for("deleteMessage", deleting(GROUP, newcomer["message_id"]))
    assert not emu.calls_to("deleteMessage") or not [
        c for c in emu.calls_to("deleteMessage") if c.params.get("message_id") == old_hand["message_id"]
    ]

    # A moderator replies /warn to a member's message in the group: the message and the command go.
    emu.set_member(GROUP, MODERATOR)
    emu.mark()
    target = emu.send_message(GROUP, OTHER, "ну и что вы мне сделаете")
    command = emu.send_message(GROUP, MODERATOR, "/warn", reply_to=target["message_id"])
    await emu.wait_for("deleteMessage", deleting(GROUP, command["message_id"]))
    await emu.wait_for("deleteMessage", deleting(GROUP, target["message_id"]))
    await emu.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == GROUP and "Модератор" in c.params["text"]
    )
    await emu.wait_for("sendMessage", lambda c: c.params["chat_id"] == STAFF and "warned" in c.params["text"])

    # Added to a chat without the rights to act: the staff chat hears which, and the chat runs in shadow.
    other_group = -1001000000003
    emu.add_chat(other_group, "supergroup", "Волна: регион")
    emu.set_member(other_group, MEMBER)
    emu.mark()
    emu.add_bot_to_chat(other_group, "member")
    report = await emu.wait_for("sendMessage", to(STAFF))
    assert "Волна: регион" in report.params["text"] and "delete messages" in report.params["text"]
    swear = emu.send_message(other_group, MEMBER, SWEAR)
    marker = emu.send_message(GROUP, MEMBER, "t.me/+AbCdEfGh123 заходи")  # handled after the swearing
    await emu.wait_for("deleteMessage", deleting(GROUP, marker["message_id"]))
    assert not [c for c in emu.calls_to("deleteMessage") if c.params.get("chat_id") == other_group]
    assert not emu.is_deleted(other_group, swear["message_id"])


# --- the FAQ and tickets ---------------------------------------------------------------------------------


def staff_says(needle: str) -> Callable[[Call], bool]:
    """A post in the staff chat containing `needle`: on Mondays the weekly digest may come in between."""
    return lambda call: call.params.get("chat_id") == STAFF and needle in call.params.get("text", "")


def replying_to(chat: int, message_id: int) -> Callable[[Call], bool]:
    return lambda call: (
        call.params.get("chat_id") == chat
        and (call.params.get("reply_parameters") or {}).get("message_id") == message_id
    )


async def test_a_known_question_is_answered_from_the_knowledge_base(
    emu: BotApiEmulator, bot: BotProcess
) -> None:
    question = emu.send_message(GROUP, MEMBER, "Подскажите, как проверить баланс?")
    answer = await emu.wait_for("sendMessage", replying_to(GROUP, question["message_id"]), timeout=20)
    assert answer.params["text"].startswith("@gosha77, ") and "*100#" in answer.params["text"]
    assert not [c for c in emu.calls_to("sendMessage") if c.params["chat_id"] == STAFF]


async def test_the_answer_to_a_message_deleted_later_goes_with_it(
    emu: BotApiEmulator, bot: BotProcess
) -> None:
    question = emu.send_message(GROUP, MEMBER, "как проверить баланс?")
    answer = await emu.wait_for("sendMessage", replying_to(GROUP, question["message_id"]), timeout=20)
    burst = [emu.send_message(GROUP, MEMBER, f"ау {n}")["message_id"] for n in range(5)]
    await emu.wait_for("deleteMessages", to(GROUP), timeout=20)
    for message_id in (question["message_id"], *burst, answer.result_or_error["message_id"]):
        assert emu.is_deleted(GROUP, message_id), message_id


async def test_an_answer_still_waiting_at_shutdown_goes_out_after_the_restart(
    emu: BotApiEmulator, make_bot: Callable[..., BotProcess]
) -> None:
    """Telegram asks the bot to wait a minute before posting into the group; it is stopped meanwhile. The
    outbox keeps the answer, and the next run sends it, once."""
    first = make_bot()
    await first.start()
    emu.fail_next("sendMessage", retry_after=60)
    question = emu.send_message(GROUP, MEMBER, "Подскажите, как проверить баланс?")
    refused = await emu.wait_for("sendMessage", replying_to(GROUP, question["message_id"]), timeout=20)
    assert not refused.ok
    await first.stop()
    assert "1 posts not sent at shutdown" in first.output()

    emu.mark()
    second = make_bot()
    await second.start()
    try:
        answer = await emu.wait_for("sendMessage", replying_to(GROUP, question["message_id"]), timeout=20)
        assert answer.ok and "*100#" in answer.params["text"]
        await second.stop()
        third = make_bot()
        await third.start()  # the outbox is empty now: nothing is sent twice
        await asyncio.sleep(1)
        answers = [c for c in emu.calls_to("sendMessage") if replying_to(GROUP, question["message_id"])(c)]
        assert [c.ok for c in answers] == [False, True]
        await third.stop()
    finally:
        await second.stop()


async def test_a_member_who_started_the_bot_is_answered_privately_until_blocking_it(
    emu: BotApiEmulator, bot: BotProcess
) -> None:
    emu.add_chat(MEMBER, "private")
    emu.send_message(MEMBER, MEMBER, "/start")
    welcome = await emu.wait_for("sendMessage", to(MEMBER), timeout=20)
    assert "support team's answers" in welcome.params["text"]  # in the member's app language
    question = emu.send_message(GROUP, MEMBER, "Позвоните мне, пожалуйста, по поводу договора")
    await emu.wait_for("sendMessage", staff_says("Ticket #1"), timeout=20)

    emu.send_message(STAFF, MODERATOR, "/reply 1 Перезвоним сегодня до 18:00.")
    assert "(privately)" in (await emu.wait_for("sendMessage", staff_says("#1: sent to"))).params["text"]
    private = await emu.wait_for("sendMessage", lambda c: to(MEMBER)(c) and "Перезвоним" in c.params["text"])
    assert private.ok and "@gosha77, ответ поддержки" in private.params["text"]
    assert not [c for c in emu.calls_to("sendMessage") if replying_to(GROUP, question["message_id"])(c)][1:]

    emu.set_member(MEMBER, emu.bot_id, "kicked")  # the member blocked the bot: the group it is
    emu.send_message(STAFF, MODERATOR, "/reply 1 Уточните номер договора, пожалуйста.")
    public = await emu.wait_for(
        "sendMessage",
        lambda c: replying_to(GROUP, question["message_id"])(c) and "Уточните" in c.params["text"],
    )
    assert public.ok
    refused = [c for c in emu.calls_to("sendMessage") if to(MEMBER)(c) and "Уточните" in c.params["text"]]
    assert [c.error_code for c in refused] == [403]

    emu.set_member(MEMBER, emu.bot_id, "member")  # unblocked: a question asked privately is answered there
    asked = emu.send_message(MEMBER, MEMBER, "как проверить баланс?")
    answer = await emu.wait_for("sendMessage", replying_to(MEMBER, asked["message_id"]))
    assert answer.ok and "*100#" in answer.params["text"]


async def test_a_ticket_from_question_to_relayed_answer_follow_up_and_close(
    emu: BotApiEmulator, bot: BotProcess
) -> None:
    problem = emu.send_message(
        GROUP, MEMBER, "Третий день нет интернета на Ленина 5, верните деньги за эти дни!"
    )
    ack = await emu.wait_for("sendMessage", replying_to(GROUP, problem["message_id"]), timeout=20)
    assert "№1" in ack.params["text"] and "24" in ack.params["text"]
    card = await emu.wait_for("sendMessage", staff_says("Ticket #1"))
    assert "Ticket #1" in card.params["text"] and "Ленина 5" in card.params["text"]
    assert f"t.me/c/{str(GROUP)[4:]}/{problem['message_id']}" in card.params["text"]
    buttons = [b["callback_data"] for b in card.params["reply_markup"]["inline_keyboard"][0]]
    assert buttons == ["ticket:close:1", "ticket:dismiss:1", "ticket:snooze:1"]
    card_id = card.result_or_error["message_id"]

    emu.mark()  # the tone guard: nothing reaches the member
    emu.send_message(STAFF, MODERATOR, "Да вы просто идиот, читайте договор", reply_to=card_id)
    blocked = await emu.wait_for("sendMessage", staff_says("Not sent"))
    assert "Not sent" in blocked.params["text"] and "insult" in blocked.params["text"]

    emu.mark()
    emu.send_message(STAFF, MODERATOR, "Авария устранена, перерасчёт сделаем за три дня.", reply_to=card_id)
    relayed = await emu.wait_for("sendMessage", replying_to(GROUP, problem["message_id"]))
    assert (
        relayed.params["text"]
        == "@gosha77, ответ поддержки: Авария устранена, перерасчёт сделаем за три дня."
    )
    assert not [
        c for c in emu.calls_to("sendMessage") if c.params["chat_id"] == GROUP and "идиот" in c.params["text"]
    ]

    emu.mark()
    emu.send_message(GROUP, MEMBER, "а когда именно будет перерасчёт? всё ещё нет связи")
    follow = await emu.wait_for("sendMessage", staff_says("follow-up"))
    assert "follow-up" in follow.params["text"] and follow.params["reply_parameters"]["message_id"] == card_id

    emu.mark()
    emu.send_message(STAFF, MODERATOR, "/tickets")
    listing = await emu.wait_for("sendMessage", staff_says("Open tickets"))
    assert listing.params["text"].splitlines()[1].startswith("#1 ")

    emu.mark()
    emu.press_button(STAFF, card_id, MODERATOR, "ticket:close:1")
    edit = await emu.wait_for("editMessageText")
    assert "closed by @maria_mod" in edit.params["text"]

    emu.mark()
    emu.send_message(STAFF, MODERATOR, "/stats")
    stats = await emu.wait_for("sendMessage", staff_says("Questions, 24 h"))
    assert "Questions, 24 h: 1 questions · answered 100%" in stats.params["text"]


async def test_a_forum_staff_chat_gets_a_topic_per_ticket(
    emu: BotApiEmulator, make_bot: Callable[..., BotProcess]
) -> None:
    """The card opens its own topic; a moderator's plain message there is the answer, the member's follow-up
    lands there, and /close typed there closes the ticket and its topic."""
    emu.add_chat(STAFF, "supergroup", "Волна: модераторы", is_forum=True)  # the same staff chat, with topics
    bot = make_bot()
    await bot.start()
    try:
        problem = emu.send_message(
            GROUP, MEMBER, "Третий день нет интернета на Ленина 5, верните деньги за эти дни!"
        )
        topic = await emu.wait_for("createForumTopic", timeout=20)
        thread = topic.result_or_error["message_thread_id"]
        assert (
            topic.params["name"]
            == "#1 · Гоша · Третий день нет интернета на Ленина 5, верните деньги за эти дни!"
        )
        card = await emu.wait_for("sendMessage", staff_says("Ticket #1"))
        assert card.params["message_thread_id"] == thread and "reply_to_message" in card.result_or_error
        card_id = card.result_or_error["message_id"]

        emu.mark()
        emu.send_message(STAFF, MODERATOR, "Авария устранена, перерасчёт сделаем за три дня.", thread=thread)
        relayed = await emu.wait_for("sendMessage", replying_to(GROUP, problem["message_id"]))
        assert (
            relayed.params["text"]
            == "@gosha77, ответ поддержки: Авария устранена, перерасчёт сделаем за три дня."
        )
        sent = await emu.wait_for("sendMessage", staff_says("sent to tg:101"))
        assert sent.params["message_thread_id"] == thread

        emu.mark()
        emu.send_message(GROUP, MEMBER, "а когда именно будет перерасчёт? всё ещё нет связи")
        follow = await emu.wait_for("sendMessage", staff_says("follow-up"))
        assert follow.params["message_thread_id"] == thread
        assert follow.params["reply_parameters"]["message_id"] == card_id

        emu.mark()
        emu.send_message(STAFF, MODERATOR, "/close", thread=thread)
        closed = await emu.wait_for("sendMessage", staff_says("#1 closed by tg:103"))
        assert closed.params["message_thread_id"] == thread
        closing = emu.calls_to("closeForumTopic")
        assert [(c.params["message_thread_id"], c.ok) for c in closing] == [(thread, True)]
        assert emu.topic(STAFF, thread)["is_closed"] is True
        assert not [c for c in emu.calls_to("createForumTopic") if c is not topic]
    finally:
        await bot.stop()


async def test_an_sla_reminder_fires_after_a_restart(
    emu: BotApiEmulator, make_bot: Callable[..., BotProcess], policy_file: Path
) -> None:
    """The reminder comes due while the bot is down: the restarted bot sends it, and each reminder and the
    breach alert go out once, because they are recorded as ticket events."""
    bundled = "tickets:\n  sla: 24h\n  remind_before: [4h, 1h]\n  digest_every: 10m\n"
    assert bundled in policy_file.read_text()
    policy_file.write_text(
        policy_file.read_text().replace(
            bundled, "tickets: {sla: 40s, remind_before: [35s], digest_every: 1s}\n"
        )
    )
    first = make_bot(POLICY_FILE=str(policy_file))
    await first.start()
    emu.send_message(GROUP, MEMBER, "Позвоните мне, пожалуйста, по поводу договора")
    await emu.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == STAFF and "Ticket #1" in c.params["text"], timeout=20
    )
    await first.stop()
    await asyncio.sleep(6)
    emu.mark()
    second = make_bot(POLICY_FILE=str(policy_file))
    await second.start()

    def digest(c: Call) -> bool:
        return c.params.get("chat_id") == STAFF and "SLA digest" in c.params.get("text", "")

    try:
        first_digest = await emu.wait_for("sendMessage", digest, timeout=15)
        assert "#1" in first_digest.params["text"]
        await emu.wait_for(
            "sendMessage", lambda c: digest(c) and "SLA missed" in c.params["text"], timeout=60
        )
        await asyncio.sleep(2)
        texts = [c.params["text"] for c in emu.calls_to("sendMessage") if digest(c)]
        assert sum("SLA missed" in t for t in texts) == 1 and sum("due soon" in t for t in texts) <= 1, texts
    finally:
        await second.stop()


# --- VK beside Telegram: one process, one staff chat ------------------------------------------------------


@pytest.fixture
async def vk_emu() -> AsyncIterator[VkApiEmulator]:
    emulator = VkApiEmulator()
    await emulator.start()
    emulator.add_user(VK_MEMBER, "Гоша", "Петров")
    yield emulator
    await emulator.stop()


async def test_vk_beside_telegram_cards_commands_and_tickets_cross_over(
    emu: BotApiEmulator, vk_emu: VkApiEmulator, make_bot: Callable[..., BotProcess], tmp_path: Path
) -> None:
    """`modbot run` with both tokens: a VK violation is carded in the Telegram staff chat, a ban typed there
    kicks the VK member, and a moderator's reply to a VK member's ticket is posted in the VK chat."""
    peer = vk_emu.add_chat(1, "Волна ВК", members=(VK_MEMBER,))
    process = make_bot(
        VK_GROUP_TOKEN=vk_emu.group_token,
        VK_GROUP_ID=str(vk_emu.group_id),
        VK_API_BASE=str(vk_emu.base_url),
        VK_LONGPOLL_STATE=str(tmp_path / "vk-longpoll.json"),
    )
    await process.start()
    try:
        async with asyncio.timeout(30):  # the start-up check's key, then the bot's own: it polls from now
            while len(vk_emu.calls_to("groups.getLongPollServer")) < 2:
                await asyncio.sleep(0.1)
        swear = vk_emu.send_chat_message(peer, VK_MEMBER, SWEAR)
        await vk_emu.wait_for("messages.delete", timeout=30)
        assert vk_emu.is_deleted(peer, swear["conversation_message_id"])
        card = await emu.wait_for(
            "sendMessage", lambda c: c.params["chat_id"] == STAFF and "[VK]" in c.params["text"]
        )
        assert f"vk:{VK_MEMBER}" in card.params["text"]

        emu.send_message(STAFF, MODERATOR, f"/ban vk:{VK_MEMBER} 7d")
        kick = await vk_emu.wait_for("messages.removeChatUser", timeout=20)
        assert int(kick.params.get("member_id") or kick.params.get("user_id")) == VK_MEMBER

        asker = VK_MEMBER + 1
        vk_emu.add_user(asker, "Оля", "Сидорова")
        vk_emu.chat_join(peer, asker)
        vk_emu.send_chat_message(peer, asker, "Позвоните мне, пожалуйста, по поводу договора")
        ticket = await emu.wait_for(
            "sendMessage",
            lambda c: c.params["chat_id"] == STAFF and "Ticket #" in c.params["text"],
            timeout=20,
        )
        emu.send_message(
            STAFF, MODERATOR, "Перезвоним сегодня до 18:00.", reply_to=ticket.result_or_error["message_id"]
        )
        await vk_emu.wait_for(
            "messages.send",
            lambda c: "Перезвоним сегодня до 18:00." in str(c.params.get("message")),
            timeout=20,
        )
    finally:
        assert await process.stop() == 0
    assert vk_emu.group_token not in process.output() and emu.token not in process.output()
