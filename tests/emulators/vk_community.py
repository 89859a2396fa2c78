"""The community's side of the API: groups.* (members, managers, bans), wall and board comments, users.get,
utils.resolveScreenName.

Which token a method takes follows VK's schema (access_token_type, 5.199): groups.ban, groups.unban,
wall.deleteComment and board.createComment want a user token (a community manager's); with the community
token they fail with error 27.
"""

from __future__ import annotations

from typing import Any

from .vk_errors import VkApiError, param
from .vk_params import MethodTable, Params
from .vk_state import ANY_TOKEN, USER_ONLY, Ban, Caller, User, World

BAN_REASONS = range(5)  # other, spam, verbal abuse, strong language, irrelevant messages
DEFAULT_MEMBERS_COUNT = 1000
DEFAULT_BANNED_COUNT, MAX_BANNED_COUNT = 20, 200


def deleted_profile(user_id: int) -> dict[str, Any]:
    """What users.get answers for an id that belongs to nobody."""
    return {
        "id": user_id,
        "first_name": "DELETED",
        "last_name": "",
        "deactivated": "deleted",
        "can_access_closed": True,
        "is_closed": False,
    }


class CommunityMethods:
    def __init__(self, world: World) -> None:
        self.world = world

    def table(self) -> MethodTable:
        return {
            "groups.getById": (self.get_by_id, ANY_TOKEN),
            "groups.getMembers": (self.get_members, ANY_TOKEN),
            "groups.ban": (self.ban, USER_ONLY),
            "groups.unban": (self.unban, USER_ONLY),
            "groups.getBanned": (self.get_banned, ANY_TOKEN),
            "wall.createComment": (self.wall_create_comment, ANY_TOKEN),
            "wall.deleteComment": (self.wall_delete_comment, USER_ONLY),
            "board.createComment": (self.board_create_comment, USER_ONLY),
            "board.deleteComment": (self.board_delete_comment, ANY_TOKEN),
            "users.get": (self.users_get, ANY_TOKEN),
            "utils.resolveScreenName": (self.resolve_screen_name, ANY_TOKEN),
        }

    # --- helpers --------------------------------------------------------------------------------

    def _names_community(self, value: str) -> bool:
        community = self.world.community
        return value.lstrip("-") in {str(community.id), community.screen_name, f"club{community.id}"}

    def _own_group(self, p: Params) -> None:
        value = p.text("group_id")
        if value is None:
            raise param("group_id is undefined")
        if not self._names_community(value):
            raise VkApiError(203)

    def _require_moderator(self, caller: Caller) -> None:
        if caller.kind == "user" and not self.world.can_moderate(caller.id):
            raise VkApiError(15)

    def _author(self, caller: Caller, p: Params) -> int:
        """A comment's author: the community with its token, or with from_group=1 from a manager."""
        if caller.kind == "group" or (p.flag("from_group") and self.world.can_moderate(caller.id)):
            return self.world.community_peer
        return caller.id

    def _page(self, p: Params, items: list[Any], default: int, maximum: int | None = None) -> dict[str, Any]:
        offset = p.number("offset") or 0
        count = p.number("count")
        count = default if count is None else count
        if maximum is not None:
            count = min(count, maximum)
        return {"count": len(items), "items": items[offset : offset + count]}

    # --- groups ---------------------------------------------------------------------------------

    def get_by_id(self, caller: Caller, p: Params) -> dict[str, Any]:
        wanted = p.words("group_ids") or p.words("group_id")
        if not wanted:
            if caller.kind != "group":
                raise param("group_ids is undefined")
            wanted = [str(self.world.community.id)]
        if not all(self._names_community(value) for value in wanted):
            raise param("group_ids is invalid")
        group = self.world.community.to_dict(p.words("fields"))
        return {"groups": [group for _ in wanted], "profiles": []}

    def get_members(self, caller: Caller, p: Params) -> dict[str, Any]:
        self._own_group(p)
        fields = p.words("fields")
        community = self.world.community
        if p.text("filter") == "managers":
            if caller.kind == "user" and self.world.role(caller.id) is None:
                raise VkApiError(15)
            managers = []
            for user_id, role in sorted(community.managers.items()):
                item = self.world.user(user_id).profile(fields) if fields else {"id": user_id}
                managers.append({**item, "role": role})
            return self._page(p, managers, DEFAULT_MEMBERS_COUNT)
        members: list[Any] = sorted(community.members)
        if fields:
            members = [self.world.user(user_id).profile(fields) for user_id in members]
        return self._page(p, members, DEFAULT_MEMBERS_COUNT)

    def _ban_target(self, p: Params) -> User:
        owner_id = p.number("owner_id")
        if owner_id is None:
            owner_id = p.number("user_id")
        if owner_id is None:
            raise param("owner_id is undefined")
        user = self.world.users.get(owner_id)
        if user is None:
            raise VkApiError(113)
        return user

    def ban(self, caller: Caller, p: Params) -> int:
        self._own_group(p)
        self._require_moderator(caller)
        user = self._ban_target(p)
        if user.id in self.world.community.managers:
            raise VkApiError(15)
        now = self.world.now()
        end_date = p.number("end_date") or 0
        if end_date and end_date <= now:
            raise param("end_date is invalid")
        reason = p.number("reason") or 0
        if reason not in BAN_REASONS:
            raise param("reason is invalid")
        comment = p.text("comment") or ""
        self.world.bans[user.id] = Ban(
            user.id, caller.id, now, end_date, reason, comment, p.flag("comment_visible")
        )
        self.world.community.members.discard(user.id)
        self.world.publish(
            "user_block",
            {
                "admin_id": caller.id,
                "user_id": user.id,
                "unblock_date": end_date,
                "reason": reason,
                "comment": comment,
            },
        )
        return 1

    def unban(self, caller: Caller, p: Params) -> int:
        self._own_group(p)
        self._require_moderator(caller)
        user = self._ban_target(p)
        if self.world.active_ban(user.id) is not None:
            del self.world.bans[user.id]
            self.world.publish("user_unblock", {"admin_id": caller.id, "user_id": user.id, "by_end_date": 0})
        return 1

    def get_banned(self, caller: Caller, p: Params) -> dict[str, Any]:
        self._own_group(p)
        self._require_moderator(caller)
        only = p.number("owner_id")
        fields = p.words("fields")
        items = []
        for user_id in sorted(self.world.bans):
            ban = self.world.active_ban(user_id)
            if ban is not None and only in {None, user_id}:
                profile = self.world.user(user_id).profile(fields)
                items.append({"type": "profile", "profile": profile, "ban_info": ban.info()})
        return self._page(p, items, DEFAULT_BANNED_COUNT, MAX_BANNED_COUNT)

    # --- wall -----------------------------------------------------------------------------------

    def _own_wall(self, p: Params) -> None:
        owner_id = p.number("owner_id")
        if owner_id != self.world.community_peer:
            raise param("owner_id is invalid")

    def wall_create_comment(self, caller: Caller, p: Params) -> dict[str, Any]:
        self._own_wall(p)
        post_id = p.required_number("post_id")
        if post_id not in self.world.posts:
            raise param("post_id is invalid")
        text = p.text("message")
        if text is None or not text.strip():
            raise param("message is empty or invalid")
        reply_to = p.number("reply_to_comment")
        parent = self.world.wall_comments.get(reply_to) if reply_to is not None else None
        if reply_to is not None and (parent is None or parent.post_id != post_id or parent.deleted):
            raise param("reply_to_comment is invalid")
        comment = self.world.add_wall_comment(post_id, self._author(caller, p), text, reply_to)
        return {
            "comment_id": comment.id,
            "parents_stack": [comment.thread_root] if comment.thread_root else [],
        }

    def wall_delete_comment(self, caller: Caller, p: Params) -> int:
        self._own_wall(p)
        comment = self.world.wall_comments.get(p.required_number("comment_id"))
        if comment is None:
            raise VkApiError(104)
        if comment.from_id != caller.id and not self.world.can_moderate(caller.id):
            raise VkApiError(211)
        if not comment.deleted:
            comment.deleted = True
            self.world.publish(
                "wall_reply_delete",
                {
                    "owner_id": self.world.community_peer,
                    "id": comment.id,
                    "deleter_id": caller.id,
                    "post_id": comment.post_id,
                },
            )
        return 1

    # --- board ----------------------------------------------------------------------------------

    def board_create_comment(self, caller: Caller, p: Params) -> int:
        self._own_group(p)
        topic_id = p.required_number("topic_id")
        if topic_id not in self.world.topics:
            raise param("topic_id is invalid")
        text = p.text("message")
        if text is None or not text.strip():
            raise param("message is empty or invalid")
        return self.world.add_board_comment(topic_id, self._author(caller, p), text).id

    def board_delete_comment(self, caller: Caller, p: Params) -> int:
        self._own_group(p)
        topic_id = p.required_number("topic_id")
        comment = self.world.board_comments.get((topic_id, p.required_number("comment_id")))
        if comment is None:
            raise VkApiError(104)
        if caller.kind == "user" and comment.from_id != caller.id:
            self._require_moderator(caller)
        if not comment.deleted:
            comment.deleted = True
            self.world.publish(
                "board_post_delete",
                {"topic_owner_id": self.world.community_peer, "topic_id": topic_id, "id": comment.id},
            )
        return 1

    # --- people ---------------------------------------------------------------------------------

    def users_get(self, caller: Caller, p: Params) -> list[dict[str, Any]]:
        fields = p.words("fields")
        wanted = p.words("user_ids") or p.words("user_id")
        if not wanted:
            return [self.world.user(caller.id).profile(fields)] if caller.kind == "user" else []
        profiles = []
        for value in wanted:
            user = self._find_user(value)
            if user is not None:
                profiles.append(user.profile(fields))
            elif value.isdigit():
                profiles.append(deleted_profile(int(value)))
            else:
                raise VkApiError(113)
        return profiles

    def _find_user(self, value: str) -> User | None:
        for user in self.world.users.values():
            if value in {str(user.id), f"id{user.id}", user.screen_name}:
                return user
        return None

    def resolve_screen_name(self, caller: Caller, p: Params) -> dict[str, Any] | list[Any]:
        """An unknown name resolves to an empty list, as on VK (not to an error)."""
        name = p.text("screen_name")
        if name is None:
            raise param("screen_name is undefined")
        user = self._find_user(name)
        if user is not None and not name.isdigit():
            return {"object_id": user.id, "type": "user"}
        if self._names_community(name) and not name.lstrip("-").isdigit():
            return {"object_id": self.world.community.id, "type": "group"}
        return []
