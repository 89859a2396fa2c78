"""`modbot demo`: the real bot against the in-repo Bot API emulator on 127.0.0.1, no token and no network.
A scripted scene in a brand's group and its staff chat, printed as the members and moderators see it."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from modbot_emulators.telegram import BotApiEmulator, Call

from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.telegram.app import TelegramBot
from handlers.escalation import Escalation, load_desk
from handlers.moderation import Moderation
from handlers.staff import Staff
from handlers.tickets import TicketCommands
from policies.compile import CompiledPolicy, load_policy
from storage import Database

GROUP, STAFF = -1001500000001, -1001500000002
GOSHA, OLEG, ANNA, MARIA = 5550001, 5550002, 5550003, 5550004
QUIET_S = 0.8  # the bot is done with a step when it has made no call for this long


class Scene:
    def __init__(self, emu: BotApiEmulator, out: TextIO) -> None:
        self.emu = emu
        self.out = out
        self.names = {GOSHA: "Гоша", OLEG: "Олег", ANNA: "Анна (член сообщества)", MARIA: "Мария (модератор)"}
        self.chats = {GROUP: "Волна: сообщество", STAFF: "Волна: модераторы"}

    def title(self, text: str) -> None:
        print(f"\n── {text} " + "─" * max(0, 72 - len(text)), file=self.out)

    async def say(self, chat: int, user: int, text: str, reply_to: Call | None = None) -> dict[str, Any]:
        under = " (ответ на карточку)" if reply_to is not None else ""
        print(f"[{self.chats[chat]}] {self.names[user]}{under}: {text}", file=self.out)
        card_id = reply_to.result_or_error["message_id"] if reply_to is not None else None
        message = self.emu.send_message(chat, user, text, reply_to=card_id)
        await self.settle()
        return message

    async def press(self, card: Call, label: str, user: int) -> None:
        keyboard = card.params["reply_markup"]["inline_keyboard"][0]
        button = next(b for b in keyboard if label in b["text"])
        print(f"[{self.chats[STAFF]}] {self.names[user]} presses [{button['text']}]", file=self.out)
        self.emu.press_button(STAFF, card.result_or_error["message_id"], user, button["callback_data"])
        await self.settle()

    async def settle(self) -> None:
        """Prints what the bot did once it has gone quiet (or after a few seconds of doing nothing)."""
        start = self.emu.mark()
        done: list[Call] = []
        last, waited = -1, 0.0
        while True:
            await asyncio.sleep(QUIET_S)
            waited += QUIET_S
            done = [c for c in self.emu.calls[start:] if c.method != "getUpdates"]
            if len(done) == last and (done or waited >= 3):
                break
            last = len(done)
        for call in done:
            self.show(call)

    def show(self, call: Call) -> None:
        p = call.params
        chat = self.chats.get(p.get("chat_id", 0), str(p.get("chat_id")))
        lines: dict[str, Callable[[], str]] = {
            "sendMessage": lambda: f"[{chat}] 🤖 бот: " + p["text"].replace("\n", "\n      ") + _buttons(p),
            "deleteMessage": lambda: f"[{chat}] ✂ сообщение {p['message_id']} удалено ботом",
            "deleteMessages": lambda: f"[{chat}] ✂ удалены сообщения {p['message_ids']}",
            "banChatMember": lambda: (
                f"[{chat}] ⛔ {self.names.get(p['user_id'])} заблокирован"
                + (f" до {_date(p['until_date'])}" if p.get("until_date") else " навсегда")
            ),
            "unbanChatMember": lambda: f"[{chat}] ✅ {self.names.get(p['user_id'])} разблокирован",
            "restrictChatMember": lambda: f"[{chat}] 🔇/🔈 права {self.names.get(p['user_id'])} изменены",
            "editMessageText": lambda: f"[{chat}] ✏ карточка обновлена: …{p['text'].splitlines()[-1]}",
        }
        render = lines.get(call.method)
        if render is not None:
            print(("  " if call.ok else "  ✗ ") + render(), file=self.out)


def _buttons(params: dict[str, Any]) -> str:
    markup = params.get("reply_markup") or {}
    rows = markup.get("inline_keyboard") or []
    return "".join("\n      " + "  ".join(f"[{b['text']}]" for b in row) for row in rows)


def _date(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%d.%m.%Y %H:%M UTC")


async def play(scene: Scene) -> None:
    emu = scene.emu
    scene.title("A member asks: the bot answers from the knowledge base")
    await scene.say(GROUP, GOSHA, "Всем привет! Подскажите, как проверить баланс?")
    scene.title("The same member swears")
    await scene.say(GROUP, GOSHA, "Опять нет связи, ну 6лять, сколько можно")
    scene.title("An angry but clean complaint is feedback: a ticket for the team, no punishment")
    await scene.say(GROUP, ANNA, "ВЫ ИЗДЕВАЕТЕСЬ?! Третий день нет интернета, верните деньги за месяц!")
    ticket = next(
        (
            c
            for c in emu.calls_to("sendMessage")
            if c.params["chat_id"] == STAFF and "Ticket #" in c.params["text"]
        ),
        None,
    )
    if ticket is not None:
        scene.title("A moderator answers the ticket; a rude draft is stopped by the tone guard")
        await scene.say(STAFF, MARIA, "Читать договор не пробовали? Идиоты, честное слово", reply_to=ticket)
        await scene.say(
            STAFF,
            MARIA,
            "Анна, авария на линии устранена, перерасчёт за три дня сделаем сегодня.",
            reply_to=ticket,
        )
    scene.title("A spammer posts an invite link")
    await scene.say(GROUP, OLEG, "Заработок от 5000 в день без вложений 💰💰💰 заходи t.me/+AbCdEfGh123")
    scene.title("A few minutes later, the first member floods")
    emu.advance_clock(300)
    for text in ("АЛЛО!!!", "ГДЕ СВЯЗЬ", "АЛЛО!!!", "ГДЕ СВЯЗЬ???", "АЛЛО!!!", "ответьте"):
        emu.send_message(GROUP, GOSHA, text)
        print(f"[{scene.chats[GROUP]}] {scene.names[GOSHA]}: {text}", file=scene.out)
    await scene.settle()
    scene.title("The moderators in the staff chat")
    cards = [
        c for c in emu.calls_to("sendMessage") if c.params["chat_id"] == STAFF and "🛡" in c.params["text"]
    ]
    await scene.say(STAFF, MARIA, "/history @gosha77")
    if cards:
        await scene.press(cards[-1], "Undo", MARIA)
    await scene.say(STAFF, MARIA, "/ban @oleg_earn forever")
    await scene.say(STAFF, MARIA, "/tickets")
    await scene.say(STAFF, MARIA, "/stats")


def _world(emu: BotApiEmulator) -> None:
    emu.add_user(GOSHA, "Гоша", "gosha77")
    emu.add_user(OLEG, "Олег", "oleg_earn")
    emu.add_user(ANNA, "Анна", "anna_k")
    emu.add_user(MARIA, "Мария", "maria_mod")
    emu.add_chat(GROUP, "supergroup", "Волна: сообщество")
    emu.add_chat(STAFF, "supergroup", "Волна: модераторы")
    for user in (GOSHA, OLEG, ANNA):
        emu.set_member(GROUP, user)
    emu.set_member(GROUP, emu.bot_id, "administrator")
    emu.set_member(STAFF, emu.bot_id, "administrator")
    emu.set_member(STAFF, MARIA, "administrator")


async def demo(policy: CompiledPolicy, out: TextIO) -> int:
    async with BotApiEmulator() as emu:
        _world(emu)
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(
                telegram_bot_token=emu.token,  # type: ignore[arg-type]
                telegram_api_base=str(emu.base_url),
                staff_chat_id=STAFF,
                database_url=f"sqlite+aiosqlite:///{Path(folder) / 'demo.sqlite3'}",
                _env_file=None,  # type: ignore[call-arg]
            )
            db = await Database.open(settings.database_url)
            moderation = Moderation(policy, db)
            escalation = Escalation(db, policy, load_desk(policy))
            staff = Staff(moderation, lambda: policy, TicketCommands(escalation))
            scheduler = Scheduler()
            telegram = TelegramBot(settings, moderation, staff, scheduler, escalation)
            polling = asyncio.create_task(telegram.start_polling(handle_signals=False))
            try:
                await emu.wait_for("deleteWebhook", timeout=30)
                print(
                    f"Bot API emulator on {emu.base_url}; the real bot polls it. Policy: {policy.display}",
                    file=out,
                )
                await play(Scene(emu, out))
            finally:
                await telegram.dp.stop_polling()
                with contextlib.suppress(Exception):
                    await polling
                await telegram.stop()
                await db.close()
    return 0


def run_demo(policy_file: Path | None, out: TextIO) -> int:
    return asyncio.run(demo(load_policy(policy_file), out))
