"""Startup checks and settings: whatever is wrong with the VK setup is one line naming the setting."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from modbot_emulators.vk import VkApiEmulator
from pydantic import ValidationError

from bot.settings import Settings
from bot.vk.checks import check_vk

MODER, MEMBER = 13, 14


@pytest.fixture
async def emu() -> AsyncIterator[VkApiEmulator]:
    async with VkApiEmulator() as emulator:
        emulator.add_user(MODER, "Мира")
        emulator.add_user(MEMBER, "Гоша")
        emulator.add_manager(MODER, "moderator")
        yield emulator


def settings(emu: VkApiEmulator, **extra: object) -> Settings:
    values: dict[str, object] = {
        "vk_group_token": emu.group_token,
        "vk_group_id": emu.group_id,
        "vk_api_base": emu.base_url,
        "vk_staff_peer_id": 2000000001,
        **extra,
    }
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


async def test_a_working_setup(emu: VkApiEmulator) -> None:
    emu.add_chat(1, "Модераторы")

    assert await check_vk(settings(emu, vk_admin_token=emu.user_token(MODER))) is None
    assert await check_vk(Settings(_env_file=None)) is None  # VK not configured: nothing to check


async def test_what_is_wrong_is_named(emu: VkApiEmulator) -> None:
    emu.add_chat(1, "Модераторы")
    revoked = emu.user_token(MODER)
    emu.revoke_token(revoked)

    bad_token = await check_vk(settings(emu, vk_group_token="vk1.a.nope"))
    other_group = await check_vk(settings(emu, vk_group_id=5))
    no_staff_chat = await check_vk(settings(emu, vk_staff_peer_id=2000000009))
    not_a_moderator = await check_vk(settings(emu, vk_admin_token=emu.user_token(MEMBER)))
    revoked_admin = await check_vk(settings(emu, vk_admin_token=revoked))

    assert bad_token is not None and bad_token.startswith("VK_GROUP_TOKEN: VK refused it (error 5")
    assert other_group is not None and other_group.startswith("VK_GROUP_ID: 5 is not the token's community")
    assert no_staff_chat == "VK_STAFF_PEER_ID: the community is not in conversation 2000000009; add it there"
    assert not_a_moderator is not None and not_a_moderator.startswith(
        f"VK_ADMIN_TOKEN: its user {MEMBER} is not a moderator or admin of the community (no role)"
    )
    assert revoked_admin is not None and revoked_admin.startswith("VK_ADMIN_TOKEN: VK refused it (error 5")


async def test_an_unreachable_api(emu: VkApiEmulator) -> None:
    line = await check_vk(settings(emu, vk_api_base="http://127.0.0.1:9/method/"))

    assert line is not None and line.startswith("VK_API_BASE: http://127.0.0.1:9/method/ is unreachable")


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"vk_group_token": "t"}, "VK_GROUP_ID: required with VK_GROUP_TOKEN"),
        ({"vk_group_token": "t", "vk_group_id": 1}, "VK_STAFF_PEER_ID: required with VK_GROUP_TOKEN"),
        (
            {"vk_group_token": "t", "vk_group_id": 1, "vk_staff_peer_id": 2, "vk_confirmation_code": "c"},
            "VK_CALLBACK_SECRET: required with VK_CONFIRMATION_CODE",
        ),
        ({"vk_api_base": "api.vk.com"}, "is not an http(s) URL"),
    ],
)
def test_settings_that_do_not_fit_together(values: dict[str, object], error: str) -> None:
    with pytest.raises(ValidationError, match=error.replace("(", r"\(").replace(")", r"\)")):
        Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_the_api_base_keeps_its_slash() -> None:
    assert Settings(_env_file=None, vk_api_base="http://127.0.0.1:8/method").vk_api_base == (
        "http://127.0.0.1:8/method/"
    )
