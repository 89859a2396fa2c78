from datetime import UTC, datetime

import pytest

from policies.compile import CompiledPolicy, load_policy
from policies.engine import Engine, Verdict
from policies.events import Author, ChatKind, Event, Role

AT = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="session")
def policy() -> CompiledPolicy:
    return load_policy()


@pytest.fixture
def judge(policy: CompiledPolicy):
    def evaluate(
        text: str, role: Role = Role.MEMBER, user: str | None = None, newcomer: bool = False
    ) -> Verdict:
        event = Event(
            "tg", "tg:-1", ChatKind.GROUP, "1", Author(user, role=role, newcomer=newcomer), text, AT
        )
        return Engine(policy).evaluate(event)

    return evaluate
