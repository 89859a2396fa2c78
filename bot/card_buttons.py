"""The buttons of a staff card, the same on every platform (each adapter draws them its own way):
Undo / Pardon / Ban forever on a card about a strike (data `kind:strike:member`), Confirm / Reject above
them on a step that waits for staff (`kind:sanction:member`), Close / Dismiss / Snooze on a ticket's card
(`ticket:command:id`)."""

from __future__ import annotations

from handlers.actions import Button, NotifyStaff
from handlers.staff import KEY

STRIKE_BUTTONS = frozenset({"undo", "pardon", "forever", "confirm", "reject"})


def card_buttons(card: NotifyStaff) -> tuple[tuple[Button, ...], ...]:
    if card.ticket_id is not None:
        ticket = card.ticket_id
        return (
            (
                Button("✅ Close", f"ticket:close:{ticket}"),
                Button("🗑 Dismiss", f"ticket:dismiss:{ticket}"),
                Button("💤 Snooze 1d", f"ticket:snooze:{ticket}"),
            ),
        )
    if card.member is None or card.strike_id is None:
        return ()
    data = f"{card.strike_id}:{card.member}"
    rows = [
        (
            Button("↩️ Undo", f"undo:{data}"),
            Button("🕊 Pardon", f"pardon:{data}"),
            Button("⛔ Ban forever", f"forever:{data}"),
        )
    ]
    if card.pending and card.sanction_id is not None:
        pending = f"{card.sanction_id}:{card.member}"
        rows.insert(0, (Button("✅ Confirm", f"confirm:{pending}"), Button("✖ Reject", f"reject:{pending}")))
    return tuple(rows)


def strike_press(data: str) -> tuple[str, str, int | None] | None:
    """A press on a strike card's button, as Staff.button takes it: `undo:12:vk:5` -> ("undo", "vk:5", 12);
    None for other data."""
    kind, _, rest = data.partition(":")
    ref, _, member = rest.partition(":")
    if kind not in STRIKE_BUTTONS or not KEY.fullmatch(member):
        return None
    return kind, member, int(ref) if ref.isdigit() else None


def ticket_press(data: str) -> tuple[str, tuple[str, ...]] | None:
    """A press on a ticket card's button, as the staff command it stands for: `ticket:snooze:7` ->
    ("snooze", ("7", "1d")); None for other data."""
    kind, _, rest = data.partition(":")
    name, _, ticket = rest.partition(":")
    if kind != "ticket" or name not in ("close", "dismiss", "snooze") or not ticket.isdigit():
        return None
    return name, (ticket, "1d") if name == "snooze" else (ticket,)
