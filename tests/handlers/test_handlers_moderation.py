"""handlers.moderation on a real SQLite file: verdict -> strike -> ladder step -> actions, audited.

Time is given by the events, so the ladder is walked across days without waiting. Policy variants are
copies of the bundled policy folder with one line changed, loaded like an admin's own files.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from handlers.actions import Action, Ban, Delete, NotifyStaff, Reply, Restrict
from handlers.moderation import Moderation, Outcome
from policies.compile import DEFAULT_POLICY, CompiledPolicy, load_policy
from policies.events import Author, ChatKind, Event, Role
from storage import Database

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)
CHAT = "tg:-1001"
MEMBER = "tg:42"
NAME = "Вася"
PROFANITY = "ну ты 6лять даёшь"
PROFANITY_TITLE = "Нецензурная лексика"
AD = "Переходите в t.me/cheap_sim"

_message_ids = itertools.count(1)


def event(
    text: str = PROFANITY,
    at: datetime = T0,
    *,
    member: str | None = MEMBER,
    role: Role = Role.MEMBER,
    chat: str = CHAT,
    chat_kind: ChatKind = ChatKind.GROUP,
    update_id: str | None = None,
    platform: str = "tg",
) -> Event:
    return Event(
        platform=platform,
        chat=chat,
        chat_kind=chat_kind,
        message_id=str(next(_message_ids)),
        author=Author(member, NAME, role=role),
        text=text,
        at=at,
        update_id=update_id,
    )


def policy_copy(tmp_path: Path, old: str, new: str) -> CompiledPolicy:
    """The bundled policy folder copied, with `old` (present exactly once) replaced by `new`."""
    folder = tmp_path / "policy"
    shutil.copytree(DEFAULT_POLICY.parent, folder)
    file = folder / DEFAULT_POLICY.name
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"the bundled policy changed: {old!r} is not there exactly once"
    file.write_text(text.replace(old, new), encoding="utf-8")
    return load_policy(file)


def of(outcome: Outcome, kind: type) -> list[Action]:
    return [a for a in outcome.actions if isinstance(a, kind)]


@pytest.fixture(scope="module")
def policy() -> CompiledPolicy:
    return load_policy()


@pytest.fixture
def url(tmp_path: Path) -> str:
    return "sqlite+aiosqlite:///" + str(tmp_path / "modbot.sqlite3")


@pytest.fixture
async def db(url: str) -> AsyncIterator[Database]:
    database = await Database.open(url)
    yield database
    await database.close()


@pytest.fixture
def moderation(policy: CompiledPolicy, db: Database) -> Moderation:
    return Moderation(policy, db)


# --- the ladder -----------------------------------------------------------------------------------------

# Separate incidents, days apart: (days after T0, step label, ban length (None: forever), staff notified)
LADDER = [
    (0, "warn", "no ban", True),
    (2, "ban 7d", timedelta(days=7), True),
    (5, "ban 30d", timedelta(days=30), True),
    (40, "ban forever", None, True),
]


async def test_the_ladder_walks_warn_ban_7d_ban_30d_ban_forever(
    moderation: Moderation, db: Database, policy: CompiledPolicy
) -> None:
    templates = policy.templates
    for number, (days, label, ban_for, notified) in enumerate(LADDER, start=1):
        at = T0 + days * DAY
        e = event(at=at)
        outcome = await moderation.handle(e)

        assert outcome.decision is not None and outcome.decision.step is not None
        assert outcome.decision.step.label() == label
        assert (outcome.decision.active_before, outcome.decision.active_after) == (number - 1, number)
        assert of(outcome, Delete) == [Delete(CHAT, e.message_id)]

        bans = of(outcome, Ban)
        if ban_for == "no ban":
            assert outcome.action == "warn" and bans == [] and outcome.until is None
            step_text = templates.render("step_warn")
        else:
            until = at + ban_for if ban_for is not None else None
            assert outcome.action == "ban"
            assert bans == [Ban(CHAT, MEMBER, until)]
            assert outcome.until == until
            step_text = (
                templates.render("step_ban", until=until.strftime("%d.%m.%Y %H:%M UTC"))
                if until
                else templates.render("step_ban_forever")
            )

        (reply,) = of(outcome, Reply)
        assert reply.reply_to == e.message_id and reply.chat == CHAT
        assert PROFANITY_TITLE in reply.text and NAME in reply.text
        assert reply.text == templates.render(
            "rule_violation", member=NAME, rule=PROFANITY_TITLE, step=step_text
        )

        notes = of(outcome, NotifyStaff)
        assert bool(notes) == notified, f"incident {number}: notify_staff_from is 1"
        if notes:
            assert notes[0].member == MEMBER and PROFANITY_TITLE in notes[0].text and label in notes[0].text
            assert notes[0].strike_id is not None and "6лять" in notes[0].text  # the card quotes the span
        assert of(outcome, Restrict) == []

    async with db.unit() as ledger:
        strikes = await ledger.strike_history(MEMBER)
        sanctions = await ledger.member_sanctions(MEMBER)
    assert [s.at for s in strikes] == [T0 + d * DAY for d, *_ in LADDER]
    assert all(s.rule == "profanity" and s.weight == 1 and s.pardoned_at is None for s in strikes)
    assert [(s.kind, s.status, s.until) for s in sanctions] == [
        ("ban", "active", T0 + 2 * DAY + 7 * DAY),
        ("ban", "active", T0 + 5 * DAY + 30 * DAY),
        ("ban", "active", None),
    ]
    assert [s.strike_id for s in sanctions] == [s.id for s in strikes[1:]]


# A second violation this long after the first strike: (offset, collapsed into the same incident)
BURSTS = [
    (timedelta(seconds=1), True),
    (timedelta(seconds=30), True),
    (timedelta(seconds=60), True),  # collapse_within: 60s is inclusive
    (timedelta(seconds=61), False),
]


@pytest.mark.parametrize(("offset", "collapsed"), BURSTS, ids=lambda v: str(v))
async def test_a_burst_within_collapse_within_is_one_strike(
    moderation: Moderation, db: Database, offset: timedelta, collapsed: bool
) -> None:
    first = await moderation.handle(event(at=T0))
    assert first.action == "warn"
    second_event = event("бляяяяять опять", at=T0 + offset)
    second = await moderation.handle(second_event)

    assert second.verdict is not None and second.verdict.violation
    async with db.unit() as ledger:
        history = await ledger.strike_history(MEMBER)
    if collapsed:
        assert second.decision is not None and second.decision.collapsed
        assert second.actions == (Delete(CHAT, second_event.message_id),)
        assert second.action == "delete"
        assert len(history) == 1
        assert (history[0].violations, history[0].last_at) == (2, T0 + offset)
    else:
        assert second.action == "ban"
        assert len(history) == 2


# --- update ids: each update is handled once, also after a restart ---------------------------------------

# (platform, update id) of a second delivery after ("tg", "u1"): (is it the same update)
REDELIVERIES = [
    (("tg", "u1"), True),
    (("tg", "u2"), False),
    (("vk", "u1"), False),  # update ids are per platform
]


@pytest.mark.parametrize(("again", "duplicate"), REDELIVERIES, ids=lambda v: str(v))
async def test_a_redelivered_update_is_handled_once(
    moderation: Moderation, db: Database, again: tuple[str, str], duplicate: bool
) -> None:
    first = await moderation.handle(event(at=T0, update_id="u1"))
    assert not first.duplicate and first.action == "warn"
    platform, update_id = again
    second = await moderation.handle(event(at=T0 + 2 * DAY, update_id=update_id, platform=platform))

    async with db.unit() as ledger:
        strikes = await ledger.strike_history(MEMBER)
        audit = await ledger.audit_entries(MEMBER)
    if duplicate:
        assert second.duplicate and second.actions == () and second.action == "none"
        assert len(strikes) == 1 and len(audit) == 1
    else:
        assert not second.duplicate and second.action == "ban"
        assert len(strikes) == 2 and len(audit) == 2


async def test_after_a_restart_the_ladder_goes_on_and_old_updates_are_refused(
    url: str, policy: CompiledPolicy
) -> None:
    db = await Database.open(url)
    try:
        first = await Moderation(policy, db).handle(event(at=T0, update_id="u1"))
    finally:
        await db.close()
    assert first.action == "warn"

    db = await Database.open(url)
    try:
        moderation = Moderation(load_policy(), db)
        redelivered = await moderation.handle(event(at=T0 + DAY, update_id="u1"))
        at = T0 + 2 * DAY
        nxt = await moderation.handle(event(at=at, update_id="u2"))
        async with db.unit() as ledger:
            strikes = await ledger.strike_history(MEMBER)
    finally:
        await db.close()
    assert redelivered.duplicate and redelivered.actions == ()
    assert nxt.decision is not None and nxt.decision.active_before == 1
    assert of(nxt, Ban) == [Ban(CHAT, MEMBER, at + 7 * DAY)]
    assert len(strikes) == 2


async def test_a_flood_that_began_before_a_restart_is_still_one_flood(
    url: str, policy: CompiledPolicy
) -> None:
    """Three messages before the restart, three after it within ten seconds: the sixth is flood, and the
    burst removed as a whole reaches back across the restart."""
    texts = ["привет", "есть кто?", "алло", "ответьте", "ну где вы", "эй"]
    db = await Database.open(url)
    try:
        before = Moderation(policy, db)
        for second, text in enumerate(texts[:3]):
            assert (await before.handle(event(text, T0 + timedelta(seconds=second)))).actions == ()
    finally:
        await db.close()

    db = await Database.open(url)
    try:
        after = Moderation(load_policy(), db)
        outcomes = [
            await after.handle(event(text, T0 + timedelta(seconds=3 + second)))
            for second, text in enumerate(texts[3:])
        ]
    finally:
        await db.close()
    assert [o.verdict.violation for o in outcomes if o.verdict] == [False, False, True]
    assert outcomes[-1].verdict and outcomes[-1].verdict.leading
    assert outcomes[-1].verdict.leading.rule.category == "flood"
    assert len(of(outcomes[-1], Delete)) == 6


# --- who and where is never punished ---------------------------------------------------------------------

# (author key, role, chat kind) -> expected action; the first row is the control that is punished
EXEMPTIONS = [
    ("member in a group", MEMBER, Role.MEMBER, ChatKind.GROUP, "warn"),
    ("moderator role", MEMBER, Role.MODERATOR, ChatKind.GROUP, "none"),
    ("admin role", MEMBER, Role.ADMIN, ChatKind.GROUP, "none"),
    ("bot role", MEMBER, Role.BOT, ChatKind.GROUP, "none"),
    ("the bot itself", MEMBER, Role.SELF, ChatKind.GROUP, "none"),
    ("listed in moderators", "tg:7000000001", Role.MEMBER, ChatKind.GROUP, "none"),
    ("staff chat", MEMBER, Role.MEMBER, ChatKind.STAFF, "none"),
]


@pytest.mark.parametrize(
    ("key", "role", "chat_kind", "action"),
    [row[1:] for row in EXEMPTIONS],
    ids=[row[0] for row in EXEMPTIONS],
)
async def test_exempt_authors_and_the_staff_chat_are_not_punished(
    moderation: Moderation, db: Database, key: str, role: Role, chat_kind: ChatKind, action: str
) -> None:
    outcomes = [
        await moderation.handle(event(text, at=T0 + n * DAY, member=key, role=role, chat_kind=chat_kind))
        for n, text in enumerate((PROFANITY, AD, "ты идиот?"))
    ]
    async with db.unit() as ledger:
        strikes = await ledger.strike_history(key)
        sanctions = await ledger.member_sanctions(key)
    assert outcomes[0].action == action
    if action == "none":
        assert all(o.action == "none" and o.actions == () for o in outcomes)
        assert all(o.verdict is not None and not o.verdict.violation for o in outcomes)
        assert strikes == [] and sanctions == []
    else:
        assert len(strikes) == 3


async def test_the_staff_chat_is_never_moderated_even_for_rules_it_matches(moderation: Moderation) -> None:
    outcome = await moderation.handle(event(chat_kind=ChatKind.STAFF))
    assert outcome.verdict is not None
    assert outcome.verdict.hits == ()
    assert outcome.verdict.exempt is not None and "staff" in outcome.verdict.exempt


# --- policy variants: shadow mode, staff confirmation ---------------------------------------------------


async def test_shadow_mode_records_and_does_nothing(tmp_path: Path, db: Database) -> None:
    policy = policy_copy(
        tmp_path,
        "    title: Реклама и продвижение конкурентов\n",
        "    title: Реклама и продвижение конкурентов\n    mode: shadow\n",
    )
    moderation = Moderation(policy, db)
    shadowed = await moderation.handle(event(AD, at=T0))
    enforced = await moderation.handle(event(PROFANITY, at=T0 + 2 * DAY))

    assert shadowed.verdict is not None and shadowed.verdict.shadow
    assert shadowed.actions == () and shadowed.action == "none" and shadowed.decision is None
    assert enforced.action == "warn", "only the ads rule is in shadow mode; the first real strike warns"
    async with db.unit() as ledger:
        strikes = await ledger.strike_history(MEMBER)
        audit = await ledger.audit_entries(MEMBER)
    assert [s.rule for s in strikes] == ["profanity"]
    entry = next(a for a in audit if a.rule == "ads")
    assert entry.kind == "shadow"
    assert "shadow" in entry.explanation and entry.policy_hash == policy.hash


async def test_a_step_with_confirm_staff_waits_for_a_moderator(tmp_path: Path, db: Database) -> None:
    policy = policy_copy(tmp_path, "- {at: 2, do: {ban: 7d}}", "- {at: 2, do: {ban: 7d}, confirm: staff}")
    moderation = Moderation(policy, db)
    assert (await moderation.handle(event(at=T0))).action == "warn"
    at = T0 + 2 * DAY
    e = event(at=at)
    outcome = await moderation.handle(e)

    assert outcome.pending
    assert of(outcome, Ban) == [] and of(outcome, Restrict) == []
    assert of(outcome, Delete) == [Delete(CHAT, e.message_id)]
    (note,) = of(outcome, NotifyStaff)
    assert note.sanction_id is not None and note.member == MEMBER
    async with db.unit() as ledger:
        sanctions = await ledger.member_sanctions(MEMBER)
        pending = await ledger.pending_sanctions()
        active = await ledger.active_sanctions(MEMBER, at)
        audit = await ledger.audit_entries(MEMBER)
    (sanction,) = sanctions
    assert (sanction.id, sanction.kind, sanction.status, sanction.until) == (
        note.sanction_id,
        "ban",
        "pending",
        at + 7 * DAY,
    )
    assert pending == [sanction] and active == []
    assert audit[0].data["sanction_id"] == sanction.id
    assert "waits for staff confirmation" in audit[0].explanation


async def test_a_pending_ban_is_not_announced_to_the_member(tmp_path: Path, db: Database) -> None:
    policy = policy_copy(tmp_path, "- {at: 2, do: {ban: 7d}}", "- {at: 2, do: {ban: 7d}, confirm: staff}")
    moderation = Moderation(policy, db)
    await moderation.handle(event(at=T0))
    at = T0 + 2 * DAY
    outcome = await moderation.handle(event(at=at))
    assert outcome.pending and of(outcome, Ban) == []
    announced = policy.templates.render("step_ban", until=(at + 7 * DAY).strftime("%d.%m.%Y %H:%M UTC"))
    assert all(announced not in reply.text for reply in of(outcome, Reply))


# --- pardons ---------------------------------------------------------------------------------------------

# After warn and ban 7d, this many of the latest strikes are pardoned: the third incident's step
PARDONS = [(0, "ban 30d"), (1, "ban 7d"), (2, "warn")]


@pytest.mark.parametrize(("pardoned", "step"), PARDONS)
async def test_a_pardon_between_incidents_lowers_the_next_step(
    moderation: Moderation, db: Database, pardoned: int, step: str
) -> None:
    await moderation.handle(event(at=T0))
    await moderation.handle(event(at=T0 + 2 * DAY))
    for n in range(pardoned):
        async with db.unit() as ledger:
            assert await ledger.pardon_strike(MEMBER, "tg:7000000001", "mistake", T0 + 3 * DAY + n * DAY)
    outcome = await moderation.handle(event(at=T0 + 9 * DAY))
    assert outcome.decision is not None and outcome.decision.step is not None
    assert outcome.decision.step.label() == step
    assert outcome.decision.active_before == 2 - pardoned


# --- the audit log ---------------------------------------------------------------------------------------


async def test_every_violation_is_audited_with_its_explanation_and_the_policy_hash(
    moderation: Moderation, db: Database, policy: CompiledPolicy
) -> None:
    # (text, minutes after T0): a warn, a collapsed repeat, a clean message, an ad, an insult
    messages = [
        (PROFANITY, 0),
        ("бляяяяять опять", 0.5),
        ("Ваш сервис ужасен, третий день нет интернета!", 1),
        (AD, 60 * 48),
        ("ты идиот?", 60 * 24 * 5),
    ]
    handled = []
    for text, minutes in messages:
        e = event(text, at=T0 + timedelta(minutes=minutes))
        handled.append((e, await moderation.handle(e)))
    violations = [(e, o) for e, o in handled if o.verdict is not None and o.verdict.violation]
    assert len(violations) == 4

    async with db.unit() as ledger:
        audit = list(reversed(await ledger.audit_entries(MEMBER)))
    assert len(audit) == len(violations)
    for entry, (e, outcome) in zip(audit, violations, strict=True):
        assert outcome.verdict is not None and outcome.verdict.leading is not None
        assert entry.kind == "violation"
        assert entry.explanation == outcome.explain()
        assert "rule=" in entry.explanation and "ladder" in entry.explanation
        assert entry.policy_hash == policy.hash
        assert (entry.member, entry.chat, entry.at) == (MEMBER, CHAT, e.at)
        assert entry.rule == outcome.verdict.leading.rule.id
        assert entry.data["message_id"] == e.message_id and entry.data["action"] == outcome.action
    assert [a.rule for a in audit] == ["profanity", "profanity", "ads", "insults"]
    assert [a.data["action"] for a in audit] == ["warn", "delete", "ban", "ban"]
