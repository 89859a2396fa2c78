"""VK events -> the platform-neutral `Event`, and the keys that name VK places and people.

Keys: a conversation is "vk:<peer_id>" (2000000000 + its chat id), a member "vk:<user_id>" (a community
writing is "vk:-<group_id>"). The community's wall is one chat, "vk:wall:-<group_id>", and its board
another, "vk:board:-<group_id>", so a per-community policy override and a member's flood window span every
post; a comment's message id is "<post or topic id>_<comment id>", which is what a reply or a deletion
needs. In conversations the message id is the conversation_message_id: a community never learns the
global message ids there.

Everything a member can hide an ad in counts as text: the message, the messages it forwards, the links and
reposts it attaches. VK marks mentions up as [id1|Name] and [club1|Name]; a mention of another community
is passed on as a mention, like a channel's on Telegram.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from policies.events import Author, ChatKind, Event, Role

PLATFORM = "vk"
CHAT_PEER_OFFSET = 2_000_000_000
_COMMUNITY_MENTION = re.compile(r"\[(?:club|public|event)(\d+)\|[^\]]*\]")
# Where the community is no admin of a conversation, members address it: "[club1|@brand], вопрос".
_ADDRESS = re.compile(r"^\s*\[(?:club|public)(\d+)\|[^\]]*\][,:]?\s*")


def peer_key(peer_id: int) -> str:
    return f"{PLATFORM}:{peer_id}"


member_key = peer_key


def wall_key(group_id: int) -> str:
    return f"{PLATFORM}:wall:-{group_id}"


def board_key(group_id: int) -> str:
    return f"{PLATFORM}:board:-{group_id}"


def platform_id(key: str) -> int:
    """`vk:2000000001` -> 2000000001, `vk:-5` -> -5."""
    return int(key.rpartition(":")[2])


def surface(key: str) -> str:
    """Where a VK chat key points: "chat" (a conversation), "wall" or "board"."""
    place = key.split(":")[1]
    return place if place in ("wall", "board") else "chat"


def without_address(text: str, group_id: int) -> str:
    """The text without a leading mention of the community itself."""
    found = _ADDRESS.match(text)
    return text[found.end() :] if found and int(found.group(1)) == group_id else text


def comment_ref(parent_id: int, comment_id: int) -> str:
    return f"{parent_id}_{comment_id}"


def split_ref(ref: str) -> tuple[int, int]:
    """`"12_345"` -> (12, 345): the post or topic, and the comment."""
    parent, _, comment = ref.partition("_")
    return int(parent), int(comment)


def message_event(
    message: dict[str, Any],
    update_id: str,
    role: Role,
    group_id: int,
    *,
    edited: bool = False,
    name: str = "",
    newcomer: bool = False,
) -> Event:
    """A conversation's message_new (its "message") or message_edit (the object itself)."""
    text, links, mentions, from_community = _content(message, group_id)
    replied = message.get("reply_message") or {}
    stamp = message.get("update_time") if edited and message.get("update_time") else message["date"]
    return Event(
        platform=PLATFORM,
        chat=peer_key(message["peer_id"]),
        chat_kind=ChatKind.GROUP,
        message_id=str(message["conversation_message_id"]),
        author=Author(member_key(message["from_id"]), name, None, role, newcomer=newcomer),
        text=text,
        at=_at(stamp),
        update_id=update_id,
        links=links,
        mentions=mentions,
        forwarded_from_channel=from_community,
        reply_to=str(replied["conversation_message_id"]) if replied.get("conversation_message_id") else None,
    )


def comment_event(
    comment: dict[str, Any],
    update_id: str,
    role: Role,
    group_id: int,
    kind: ChatKind,
    *,
    at: datetime | None = None,
    name: str = "",
) -> Event:
    """A wall comment (wall_reply_new / _edit) or a board comment (board_post_new / _edit). VK gives an
    edit no time of its own: `at` is when it arrived."""
    wall = kind is ChatKind.WALL_COMMENT
    parent = comment["post_id"] if wall else comment["topic_id"]
    text, links, mentions, from_community = _content(comment, group_id)
    replied = comment.get("reply_to_comment")
    link = (
        f"https://vk.com/wall-{group_id}_{parent}?reply={comment['id']}"
        if wall
        else f"https://vk.com/topic-{group_id}_{parent}?post={comment['id']}"
    )
    return Event(
        platform=PLATFORM,
        chat=wall_key(group_id) if wall else board_key(group_id),
        chat_kind=kind,
        message_id=comment_ref(parent, comment["id"]),
        author=Author(member_key(comment["from_id"]), name, None, role),
        text=text,
        at=at or _at(comment["date"]),
        update_id=update_id,
        links=links,
        mentions=mentions,
        forwarded_from_channel=from_community,
        reply_to=comment_ref(parent, replied) if replied else None,
        extra={"link": link},
    )


def _content(item: dict[str, Any], group_id: int) -> tuple[str, tuple[str, ...], tuple[str, ...], bool]:
    """Text, links, community mentions, and whether it passes on another community's content."""
    parts = [without_address(item.get("text") or "", group_id)]
    links: list[str] = []
    from_community = False
    for forwarded in item.get("fwd_messages") or ():
        parts.append(forwarded.get("text") or "")
        from_community |= _other_community(forwarded.get("from_id"), group_id)
    for attachment in item.get("attachments") or ():
        kind = attachment.get("type")
        body = attachment.get(kind) or {}
        if kind == "link":
            links.append(body.get("url") or "")
            parts.append(body.get("title") or "")
        elif kind == "wall":
            parts.append(body.get("text") or "")
            from_community |= _other_community(body.get("from_id") or body.get("owner_id"), group_id)
    text = "\n".join(p for p in parts if p)
    mentions = tuple(
        f"@club{found.group(1)}"
        for found in _COMMUNITY_MENTION.finditer(text)
        if int(found.group(1)) != group_id
    )
    return text, tuple(url for url in links if url), mentions, from_community


def _other_community(owner: Any, group_id: int) -> bool:
    return isinstance(owner, int) and owner < 0 and owner != -group_id


def _at(stamp: int) -> datetime:
    return datetime.fromtimestamp(stamp, UTC)
