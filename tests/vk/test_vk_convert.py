"""VK events -> Event: keys, ids, time, and the text a member can hide an ad in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.vk.convert import (
    board_key,
    comment_event,
    message_event,
    platform_id,
    split_ref,
    surface,
    wall_key,
)
from policies.events import ChatKind, Role

GROUP = 227000001
PEER = 2000000001


def chat_message(**extra: object) -> dict[str, object]:
    message: dict[str, object] = {
        "date": 1_800_000_000,
        "from_id": 11,
        "id": 0,
        "peer_id": PEER,
        "conversation_message_id": 7,
        "text": "привет",
        "attachments": [],
        "fwd_messages": [],
    }
    return message | extra


def test_a_conversation_message() -> None:
    event = message_event(
        chat_message(reply_message={"conversation_message_id": 5, "from_id": 12, "text": "?"}),
        "ev1",
        Role.MEMBER,
        GROUP,
        name="Анна Котова",
    )

    assert (event.platform, event.chat, event.chat_kind) == ("vk", "vk:2000000001", ChatKind.GROUP)
    assert (event.message_id, event.reply_to, event.update_id) == ("7", "5", "ev1")
    assert (event.author.key, event.author.name, event.author.role) == ("vk:11", "Анна Котова", Role.MEMBER)
    assert event.at == datetime.fromtimestamp(1_800_000_000, UTC)
    assert not event.shadow and event.links == () and event.mentions == ()


def test_an_edit_is_dated_by_its_update_time() -> None:
    edited = chat_message(update_time=1_800_000_300)

    assert message_event(edited, "e", Role.MEMBER, GROUP, edited=True).at.timestamp() == 1_800_000_300
    assert message_event(edited, "e", Role.MEMBER, GROUP).at.timestamp() == 1_800_000_000


def test_forwards_attachments_and_mentions_count_as_the_members_text() -> None:
    message = chat_message(
        text="смотрите [club555|Дешёвая связь] и [id12|Борис], а это мы: [club227000001|Бренд]",
        fwd_messages=[{"from_id": -555, "text": "Скидки тут: cheap.example"}],
        attachments=[
            {"type": "link", "link": {"url": "https://t.me/+AbCd", "title": "Заработок без вложений"}},
            {"type": "wall", "wall": {"from_id": -556, "text": "репост"}},
        ],
    )

    event = message_event(message, "e", Role.MEMBER, GROUP)

    assert event.text.splitlines() == [
        message["text"],
        "Скидки тут: cheap.example",
        "Заработок без вложений",
        "репост",
    ]
    assert event.links == ("https://t.me/+AbCd",)
    assert event.mentions == ("@club555",)  # other communities only: people and the brand are no ads
    assert event.forwarded_from_channel


def test_forwarding_a_members_message_is_not_from_a_channel() -> None:
    message = chat_message(fwd_messages=[{"from_id": 12, "text": "x"}, {"from_id": -GROUP, "text": "y"}])

    assert not message_event(message, "e", Role.MEMBER, GROUP).forwarded_from_channel


def test_a_wall_comment_and_a_reply_to_one() -> None:
    comment = {
        "id": 31,
        "from_id": 11,
        "date": 1_800_000_000,
        "text": "вступайте t.me/joinchat/xxxx",
        "post_id": 30,
        "owner_id": -GROUP,
        "reply_to_comment": 29,
    }

    event = comment_event(comment, "w1", Role.MEMBER, GROUP, ChatKind.WALL_COMMENT)

    assert (event.chat, event.chat_kind) == (wall_key(GROUP), ChatKind.WALL_COMMENT)
    assert (event.message_id, event.reply_to) == ("30_31", "30_29")
    assert event.extra["link"] == f"https://vk.com/wall-{GROUP}_30?reply=31"


def test_a_board_comment_and_an_edit_dated_on_arrival() -> None:
    comment = {"id": 4, "from_id": 11, "date": 1_800_000_000, "text": "x", "topic_id": 2}
    now = datetime(2027, 1, 1, tzinfo=UTC)

    event = comment_event(comment, "b1", Role.MEMBER, GROUP, ChatKind.BOARD_COMMENT, at=now)

    assert (event.chat, event.message_id, event.reply_to, event.at) == (board_key(GROUP), "2_4", None, now)
    assert event.extra["link"] == f"https://vk.com/topic-{GROUP}_2?post=4"


@pytest.mark.parametrize(
    ("key", "place", "number"),
    [("vk:2000000001", "chat", 2000000001), ("vk:wall:-5", "wall", -5), ("vk:board:-5", "board", -5)],
)
def test_keys(key: str, place: str, number: int) -> None:
    assert (surface(key), platform_id(key)) == (place, number)


def test_comment_refs() -> None:
    assert split_ref("30_31") == (30, 31)
