"""Before the VK bot starts: the tokens work, belong to the community, and have the rights the bot needs.
Whatever is wrong comes back as one line naming the setting to fix (`modbot run` prints it, exits 2)."""

from __future__ import annotations

from aiohttp import ClientError
from vkbottle import VKAPIError

from bot.settings import Settings
from bot.vk.api import GROUP_RPS, USER_RPS, VkApi
from bot.vk.managers import MODERATING_ROLES


async def check_vk(settings: Settings) -> str | None:
    """None when VK is not configured or all is well; else the error line."""
    token, group_id = settings.vk_group_token, settings.vk_group_id
    if token is None or group_id is None:
        return None
    # Short retries: a busy VK gets a second or so, an unreachable one fails the start without a wait.
    api = VkApi(token.get_secret_value(), settings.vk_api_base, GROUP_RPS, backoff=0.1)
    admin = (
        VkApi(settings.vk_admin_token.get_secret_value(), settings.vk_api_base, USER_RPS, backoff=0.1)
        if settings.vk_admin_token
        else None
    )
    try:
        return await _check_group(settings, api, group_id) or (
            await _check_admin(admin, group_id) if admin else None
        )
    except (ClientError, TimeoutError) as exc:
        return f"VK_API_BASE: {settings.vk_api_base} is unreachable ({type(exc).__name__}: {exc})"
    finally:
        await api.close()
        if admin is not None:
            await admin.close()


async def _check_group(settings: Settings, api: VkApi, group_id: int) -> str | None:
    try:
        groups = (await api.call("groups.getById"))["groups"]
    except VKAPIError as exc:
        return f"VK_GROUP_TOKEN: VK refused it (error {exc.code}: {exc.error_msg}); issue a community token"
    if not groups or groups[0]["id"] != group_id:
        owner = groups[0]["id"] if groups else "no community"
        return f"VK_GROUP_ID: {group_id} is not the token's community ({owner}); check both settings"
    try:
        if settings.vk_confirmation_code is None:
            await api.call("groups.getLongPollServer", group_id=group_id)
    except VKAPIError as exc:
        return (
            f"VK_GROUP_TOKEN: Bots Long Poll is unavailable (error {exc.code}: {exc.error_msg}); enable it "
            "in the community's settings (API usage > Long Poll API, version 5.199, all event types)"
        )
    peer = settings.vk_staff_peer_id
    if peer is not None and settings.telegram_bot_token is None:
        answer = await api.call("messages.getConversationsById", peer_ids=peer)
        if not answer.get("items"):
            return f"VK_STAFF_PEER_ID: the community is not in conversation {peer}; add it there"
    return None


async def _check_admin(admin: VkApi, group_id: int) -> str | None:
    try:
        me = (await admin.call("users.get"))[0]["id"]
    except VKAPIError as exc:
        return f"VK_ADMIN_TOKEN: VK refused it (error {exc.code}: {exc.error_msg}); issue a user token"
    try:
        managers = (await admin.call("groups.getMembers", group_id=group_id, filter="managers"))["items"]
    except VKAPIError as exc:
        if exc.code != 15:  # 15: VK shows the managers only to managers
            return f"VK_ADMIN_TOKEN: VK refused the managers' list (error {exc.code}: {exc.error_msg})"
        managers = []
    role = next((m.get("role") for m in managers if m["id"] == me), None)
    if role not in MODERATING_ROLES:
        return (
            f"VK_ADMIN_TOKEN: its user {me} is not a moderator or admin of the community "
            f"({role or 'no role'}); community bans and wall deletions need one"
        )
    return None
