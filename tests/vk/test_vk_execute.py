"""Actions -> VK API calls, against the VK API emulator: where each action goes, what counts as done, and
what is reported to the staff chat."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from modbot_emulators.vk import VkApiEmulator

from bot.vk.api import VkApi
from bot.vk.convert import board_key, wall_key
from bot.vk.execute import VkExecutor, button_data, keyboard
from bot.vk.guard import Guard
from handlers.actions import Ban, Button, Delete, NotifyStaff, Reply, Restrict, Unban, Unmute
from storage import Database

ANNA, BORIS = 11, 12
Job = Callable[[], Awaitable[None]]


@dataclass
class Staff:
    cards: list[NotifyStaff] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    jobs: list[tuple[datetime, Job]] = field(default_factory=list)

    async def card(self, card: NotifyStaff) -> None:
        self.cards.append(card)

    async def report(self, text: str) -> None:
        self.reports.append(text)

    def schedule(self, when: datetime, job: Job) -> None:
        self.jobs.append((when, job))


@pytest.fixture
async def emu() -> AsyncIterator[VkApiEmulator]:
    async with VkApiEmulator() as emulator:
        emulator.add_user(ANNA, "Анна")
        emulator.add_user(BORIS, "Boris")
        yield emulator


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    database = await Database.open("sqlite+aiosqlite:///:memory:")
    yield database
    await database.close()


@pytest.fixture
def staff() -> Staff:
    return Staff()


@pytest.fixture
async def make(emu: VkApiEmulator, db: Database, staff: Staff) -> AsyncIterator[Callable[..., VkExecutor]]:
    apis: list[VkApi] = []

    def build(admin: bool = True) -> VkExecutor:
        assert emu.base_url is not None
        api = VkApi(emu.group_token, emu.base_url, 20, backoff=0.01)
        user = VkApi(emu.admin_token, emu.base_url, 3, backoff=0.01) if admin else None
        apis.extend(a for a in (api, user) if a is not None)
        return VkExecutor(api, user, emu.group_id, Guard(db), staff.card, staff.report, staff.schedule)

    yield build
    for api in apis:
        await api.close()


async def test_a_flood_is_deleted_in_one_call_and_the_warning_replies_then_removes_itself(
    emu: VkApiEmulator, make: Callable[..., VkExecutor], staff: Staff
) -> None:
    peer = emu.add_chat(1, "Chat", members=[ANNA])
    sent = [emu.send_chat_message(peer, ANNA, f"flood {n}")["conversation_message_id"] for n in range(3)]
    chat = f"vk:{peer}"

    await make().run(
        [
            *(Delete(chat, str(cmid)) for cmid in sent),
            Reply(chat, str(sent[-1]), "Анна, не флудите", "rule_violation"),
            Reply(chat, None, "Правила: t.me/rules", "faq_answer", delete_after_s=None),
        ]
    )

    assert [c.params["cmids"] for c in emu.calls_to("messages.delete")] == [sent]
    assert all(emu.is_deleted(peer, cmid) for cmid in sent)
    sends = emu.calls_to("messages.send")
    assert "forward" not in sends[0].params  # its message is gone: a plain message, not a failed reply
    assert [m["text"] for m in emu.sent_messages(peer)] == ["Анна, не флудите", "Правила: t.me/rules"]
    assert len(staff.jobs) == 1 and staff.reports == []
    when, job = staff.jobs[0]
    assert when > datetime.now(UTC) + timedelta(seconds=100)
    await job()
    warning = emu.sent_messages(peer)[0]["conversation_message_id"]
    assert emu.is_deleted(peer, warning)


async def test_a_reply_quotes_the_message_and_carries_callback_buttons(
    emu: VkApiEmulator, make: Callable[..., VkExecutor]
) -> None:
    peer = emu.add_chat(1, "Chat", members=[ANNA])
    question = emu.send_chat_message(peer, ANNA, "как поменять тариф?")["conversation_message_id"]
    buttons = (Button("Как сменить тариф на более дешёвый без потери остатков минут?", "faq:3:0"),)

    await make().run([Reply(f"vk:{peer}", str(question), "Вы об этом?", "faq_suggest", None, buttons)])

    sent = emu.sent_messages(peer)[0]
    assert sent["reply_message"]["conversation_message_id"] == question
    button = sent["keyboard"]["buttons"][0][0]["action"]
    assert button["type"] == "callback" and len(button["label"]) == 40
    assert button_data(button["payload"]) == "faq:3:0"
    assert button_data({"data": "x"}) == "x" and button_data("not json") == ""


async def test_bans_in_a_conversation_kick_and_already_gone_counts_as_done(
    emu: VkApiEmulator, make: Callable[..., VkExecutor], staff: Staff
) -> None:
    peer = emu.add_chat(1, "Chat", members=[ANNA])
    chat = f"vk:{peer}"

    await make().run([Ban(chat, f"vk:{ANNA}", None), Ban(chat, f"vk:{BORIS}", None), Unban(chat, "vk:11")])

    assert ANNA not in emu.chat_members(peer)
    assert [c.error_code for c in emu.calls_to("messages.removeChatUser")] == [None, 935]
    assert staff.reports == [] and not emu.calls_to("groups.unban")


async def test_a_missing_right_is_reported_by_name(
    emu: VkApiEmulator, make: Callable[..., VkExecutor], staff: Staff
) -> None:
    peer = emu.add_chat(1, "Chat", bot_is_admin=False, members=[ANNA])
    message = emu.send_chat_message(peer, ANNA, "[club227000001|@brand] спам")["conversation_message_id"]

    await make().run([Delete(f"vk:{peer}", str(message)), Ban(f"vk:{peer}", f"vk:{ANNA}", None)])

    assert staff.reports == [
        f"⚠️ could not delete in vk:{peer}: the community lacks the right "
        "(VK error 924: Can't delete this message for everybody)",
        f"⚠️ could not ban vk:{ANNA} in vk:{peer}: the community lacks the right "
        "(VK error 925: You are not admin of this chat)",
    ]


async def test_community_bans_on_the_wall_and_the_board_are_one_groups_ban(
    emu: VkApiEmulator, make: Callable[..., VkExecutor]
) -> None:
    until = datetime.fromtimestamp(emu.now(), UTC) + timedelta(days=7)
    wall, board = wall_key(emu.group_id), board_key(emu.group_id)

    await make().run([Ban(wall, "vk:11", until), Ban(board, "vk:11", until)])

    assert len(emu.calls_to("groups.ban")) == 1
    assert emu.ban_end_date(ANNA) == int(until.timestamp())
    await make().run([Unban(wall, "vk:11"), Unban(board, "vk:11")])
    assert not emu.is_banned(ANNA) and len(emu.calls_to("groups.unban")) == 1


async def test_without_the_admin_token_a_community_ban_is_left_to_staff(
    emu: VkApiEmulator, make: Callable[..., VkExecutor], staff: Staff
) -> None:
    post = emu.add_wall_post("Новый тариф")
    comment = emu.wall_comment(post, ANNA, "t.me/+spam")["id"]
    wall = wall_key(emu.group_id)

    await make(admin=False).run(
        [
            Delete(wall, f"{post}_{comment}"),
            Reply(wall, f"{post}_{comment}", "Анна, сообщение удалено", "rule_violation"),
            Ban(wall, "vk:11", None),
        ]
    )

    assert staff.reports == [
        f"⚠️ could not delete in {wall}: wall.deleteComment needs VK_ADMIN_TOKEN",
        "⛔ vk:11 needs a manual ban (forever) in the VK community: VK_ADMIN_TOKEN is not set",
    ]
    assert not emu.calls_to("wall.createComment")  # a warning nobody could remove is not posted


async def test_comments_are_deleted_and_answered_on_the_wall_and_the_board(
    emu: VkApiEmulator, make: Callable[..., VkExecutor], staff: Staff
) -> None:
    post = emu.add_wall_post("Новый тариф")
    spam = emu.wall_comment(post, ANNA, "t.me/+spam")["id"]
    question = emu.wall_comment(post, BORIS, "как проверить баланс?")["id"]
    topic = emu.add_board_topic("Вопросы")
    board_spam = emu.board_comment(topic, ANNA, "t.me/+spam")["id"]
    wall, board = wall_key(emu.group_id), board_key(emu.group_id)
    choices = (Button("Как сменить тариф?", "faq:1:0"), Button("Ничего не подошло", "faq:1:none"))

    await make().run(
        [
            Delete(wall, f"{post}_{spam}"),
            Delete(board, f"{topic}_{board_spam}"),
            Reply(wall, f"{post}_{spam}", "Анна, сообщение удалено", "rule_violation"),
            Reply(wall, f"{post}_{question}", "Boris, наберите *100#", "faq_answer", None),
            Reply(board, f"{topic}_{board_spam}", "Вы об этом?", "faq_suggest", None, choices),
        ]
    )

    assert emu.comment_deleted(spam) and emu.comment_deleted(board_spam, topic_id=topic)
    created = emu.calls_to("wall.createComment")
    assert [c.params.get("reply_to_comment") for c in created] == [None, question]
    assert emu.calls_to("board.createComment")[0].params["message"] == "Вы об этом?\n• Как сменить тариф?"
    assert len(staff.jobs) == 1 and staff.reports == []  # the warning goes away later, the answer stays
    await staff.jobs[0][1]()
    assert emu.comment_deleted(created[0].result_or_error["comment_id"])


async def test_mutes_are_the_guards_and_cards_go_to_the_staff_sink(
    emu: VkApiEmulator, make: Callable[..., VkExecutor], db: Database, staff: Staff
) -> None:
    chat, now = "vk:2000000001", datetime.now(UTC)
    executor = make()
    card = NotifyStaff("🛡 card", "vk:11", chat)

    await executor.run([Restrict(chat, "vk:11", now + timedelta(minutes=10)), card])
    assert await Guard.muted(executor.guard, chat, "vk:11", now)
    assert not await executor.guard.muted(chat, "vk:11", now + timedelta(minutes=11))
    await executor.run([Unmute(chat, "vk:11")])

    assert not await executor.guard.muted(chat, "vk:11", now)
    assert staff.cards == [card] and emu.calls == []


async def test_rate_limit_errors_are_retried(
    emu: VkApiEmulator, make: Callable[..., VkExecutor], staff: Staff
) -> None:
    peer = emu.add_chat(1, "Chat", members=[ANNA])
    emu.fail_next("messages.send", 6)
    emu.fail_next("messages.send", 9)

    await make().run([Reply(f"vk:{peer}", None, "hello", "faq_answer", None)])

    assert [c.error_code for c in emu.calls_to("messages.send")] == [6, 9, None]
    assert staff.reports == [] and len(emu.sent_messages(peer)) == 1


def test_keyboard_json() -> None:
    parsed = json.loads(keyboard([[Button("a", "undo:1:vk:1"), Button("b", "pardon:1:vk:1")]]))

    assert parsed["inline"] is True
    assert [b["action"]["label"] for b in parsed["buttons"][0]] == ["a", "b"]
