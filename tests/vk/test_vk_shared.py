"""The platform-neutral pieces the VK adapter shares with Telegram's: command words and card buttons."""

from __future__ import annotations

from bot.card_buttons import card_buttons, strike_press, ticket_press
from bot.commands import command_words
from handlers.actions import NotifyStaff


def test_command_words() -> None:
    assert command_words("/ban@modbot vk:1 7d") == ("ban", ("vk:1", "7d"))
    assert command_words("  /HELP ") == ("help", ())
    assert command_words("привет /ban") is None and command_words(None) is None


def test_card_buttons_and_presses() -> None:
    strike = NotifyStaff("card", "vk:5", "vk:2000000001", sanction_id=3, strike_id=12, pending=True)
    ticket = NotifyStaff("ticket", "vk:5", "vk:2000000001", ticket_id=7)

    rows = card_buttons(strike)

    assert [[b.data for b in row] for row in rows] == [
        ["confirm:3:vk:5", "reject:3:vk:5"],
        ["undo:12:vk:5", "pardon:12:vk:5", "forever:12:vk:5"],
    ]
    assert [b.data for b in card_buttons(ticket)[0]] == [
        "ticket:close:7",
        "ticket:dismiss:7",
        "ticket:snooze:7",
    ]
    assert card_buttons(NotifyStaff("report", None, "vk")) == ()
    assert strike_press("undo:12:vk:5") == ("undo", "vk:5", 12)
    assert strike_press("forever::tg:-100") == ("forever", "tg:-100", None)
    assert strike_press("faq:1:0") is None and strike_press("undo:1:nobody") is None
    assert ticket_press("ticket:snooze:7") == ("snooze", ("7", "1d"))
    assert ticket_press("ticket:close:7") == ("close", ("7",))
    assert ticket_press("ticket:delete:7") is None and ticket_press("undo:1:vk:5") is None
