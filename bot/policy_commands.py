"""`modbot policy lint|test|schema` and `modbot explain`: what an admin runs before switching a change on."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from policies.compile import DEFAULT_POLICY, CompiledPolicy, load_policy
from policies.engine import Engine
from policies.events import Author, ChatKind, Event, Role
from policies.schema import PolicySpec
from policies.selftest import run_policy_tests
from policies.yamlsource import PolicyError


def _load_all(files: list[Path]) -> tuple[list[CompiledPolicy], int]:
    policies, errors = [], 0
    for file in files or [None]:
        try:
            policies.append(load_policy(file))
        except PolicyError as exc:
            for problem in exc.problems:
                print(problem)
            errors += len(exc.problems)
    return policies, errors


def lint(files: list[Path]) -> int:
    policies, errors = _load_all(files)
    for policy in policies:
        print(f"{policy.display}: ok ({len(policy.rules)} rules, policy {policy.hash})")
    return 1 if errors else 0


def test(files: list[Path]) -> int:
    policies, errors = _load_all(files)
    failed = 0
    for policy in policies:
        runs, failures = run_policy_tests(policy)
        for failure in failures:
            print(failure)
        failed += len(failures)
        print(f"{policy.display}: {runs - len(failures)} passed, {len(failures)} failed")
    return 1 if errors or failed else 0


def schema() -> int:
    json.dump(PolicySpec.model_json_schema(by_alias=True), sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


def explain(text: str, policy_file: Path | None, chat: str, role: str) -> int:
    try:
        policy = load_policy(policy_file)
    except PolicyError as exc:
        print(exc)
        return 1
    event = Event(
        "cli", chat, ChatKind.GROUP, "1", Author("cli:explain", role=Role(role)), text, datetime.now(UTC)
    )
    verdict = Engine(policy).evaluate(event)
    print(verdict.explain())
    if verdict.norm is not None and verdict.norm.text != text:
        print(f'normalized: "{verdict.norm.text}"')
    mode = verdict.leading.mode if verdict.leading else "-"
    override = "yes" if chat in policy.spec.chats else "none"
    print(f"exempt: {verdict.exempt or 'no (member)'} · chat override: {override} · mode: {mode}")
    return 0


def copy_default_policy(folder: Path) -> Path:
    """The bundled policy, its templates and lexicons copied into `folder` (created), to edit as one's own;
    returns the copied policy file."""
    shutil.copytree(DEFAULT_POLICY.parent, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder / DEFAULT_POLICY.name
