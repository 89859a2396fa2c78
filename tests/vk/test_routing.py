"""Actions reach the adapter of their platform; cards reach the staff chat's."""

from __future__ import annotations

from collections.abc import Iterable

from bot.routing import Router
from handlers.actions import Action, Ban, Delete, NotifyStaff


async def test_actions_go_to_their_platform_in_order() -> None:
    seen: dict[str, list[list[Action]]] = {"tg": [], "vk": []}

    async def telegram(actions: Iterable[Action]) -> None:
        seen["tg"].append(list(actions))

    async def vk(actions: Iterable[Action]) -> None:
        seen["vk"].append(list(actions))

    router = Router(staff=telegram)
    router.add("tg", telegram)
    router.add("vk", vk)
    card = NotifyStaff("card", "vk:1", "vk:2000000001")
    actions: list[Action] = [
        Delete("vk:2000000001", "1"),
        Ban("tg:-100", "tg:5", None),
        Delete("vk:2000000001", "2"),
        card,
        Ban("xx:1", "xx:2", None),  # no adapter: logged and left
    ]

    await router.run(actions)

    assert seen["vk"] == [[actions[0], actions[2]]]
    assert seen["tg"] == [[actions[1], card]]
