"""Moderators' commands and card buttons, platform-neutral, on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.policy_commands import copy_default_policy
from handlers.actions import Ban, NotifyStaff, Unban
from handlers.moderation import Moderation
from handlers.staff import Command, Staff
from policies.compile import load_policy
from policies.events import Author, ChatKind, Event
from storage import Database

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CHAT, MEMBER, MOD = "tg:-1001", "tg:42", "tg:7"


def policy_file(tmp_path: Path, old: str = "", new: str = "") -> Path:
    file = copy_default_policy(tmp_path / "policy")
    file.write_text(file.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return file


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open("sqlite+aiosqlite:///" + str(tmp_path / "modbot.sqlite3"))
    async with database.unit() as ledger:
        await ledger.upsert_chat(CHAT, "group", "Волна")
    yield database
    await database.close()


async def violate(moderation: Moderation, at: datetime, number: int) -> NotifyStaff:
    text = "ну ты 6лять даёшь"
    event = Event("tg", CHAT, ChatKind.GROUP, str(number), Author(MEMBER, "Вася", "vasya"), text, at)
    outcome = await moderation.handle(event)
    (card,) = [a for a in outcome.actions if isinstance(a, NotifyStaff)]
    return card


def command(text: str, at: datetime = T0) -> Command:
    name, *args = text.removeprefix("/").split()
    return Command(name, tuple(args), MOD, at, "tg")


async def test_a_pending_step_is_confirmed_or_rejected_once(tmp_path: Path, db: Database) -> None:
    file = policy_file(tmp_path, "- {at: 2, do: {ban: 7d}}", "- {at: 2, do: {ban: 7d}, confirm: staff}")
    moderation = Moderation(load_policy(file), db)
    staff = Staff(moderation, lambda: load_policy(file))
    await violate(moderation, T0, 1)
    card = await violate(moderation, T0 + timedelta(days=2), 2)
    assert card.pending and card.sanction_id is not None

    confirmed = await staff.button("confirm", MEMBER, card.sanction_id, MOD, T0 + timedelta(days=2, hours=1))
    assert confirmed.actions == (Ban(CHAT, MEMBER, T0 + timedelta(days=9)),)
    again = await staff.button("reject", MEMBER, card.sanction_id, MOD, T0 + timedelta(days=2, hours=2))
    assert again.actions == () and "already decided" in again.text


async def test_undo_lifts_the_ban_and_pardons_the_strike(db: Database) -> None:
    moderation = Moderation(load_policy(), db)
    staff = Staff(moderation, load_policy)
    await violate(moderation, T0, 1)
    card = await violate(moderation, T0 + timedelta(days=2), 2)
    undo = await staff.button("undo", MEMBER, card.strike_id, MOD, T0 + timedelta(days=2, minutes=5))
    assert Unban(CHAT, MEMBER) in undo.actions and "undone by tg:7" in undo.text
    history = await staff.run(command("/history tg:42", T0 + timedelta(days=3)))
    assert history.text.count("pardoned") == 1 and "lifted" in history.text
    twice = await staff.button("undo", MEMBER, card.strike_id, MOD, T0 + timedelta(days=3))
    assert twice.actions == () and "nothing to undo" in twice.text


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("/ban", "usage: /ban"),
        ("/ban tg:42 soon", "not a duration"),
        ("/mute 42", "usage: /mute"),
        ("/history @nobody", "has not been seen"),
        ("/warn вася", "is not a member"),
        ("/frobnicate", "unknown command"),
    ],
)
async def test_bad_arguments_get_one_line_of_usage(db: Database, text: str, answer: str) -> None:
    staff = Staff(Moderation(load_policy(), db), load_policy)
    reply = await staff.run(command(text))
    assert answer in reply.text and reply.actions == () and "\n" not in reply.text


async def test_a_broken_reload_keeps_the_running_policy(tmp_path: Path, db: Database) -> None:
    file = policy_file(tmp_path)
    moderation = Moderation(load_policy(file), db)
    running = moderation.policy
    staff = Staff(moderation, lambda: load_policy(file))
    file.write_text(file.read_text(encoding="utf-8").replace("ladder:", "ladder:\n  colapse_within: 1s", 1))
    reply = await staff.run(command("/reload"))
    assert "reload failed" in reply.text and "policy.yaml:" in reply.text and "collapse_within" in reply.text
    assert moderation.policy is running
    file.write_text(file.read_text(encoding="utf-8").replace("  colapse_within: 1s\n", "", 1))
    assert "policy reloaded" in (await staff.run(command("/reload"))).text
    assert moderation.policy is not running
