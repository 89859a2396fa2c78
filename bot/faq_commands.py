"""`modbot ask` and `modbot kb lint`: the knowledge base checked and tried before it goes live."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.ask import ask
from policies.compile import load_policy
from policies.faq.decide import faq_desk
from policies.faq.kb import load_kb
from policies.yamlsource import PolicyError


def ask_command(kb_file: Path | None, policy_file: Path | None, semantic: bool | None = None) -> int:
    """`semantic`: True or False overrides the policy's faq.semantic, None keeps it."""
    policy = load_policy(policy_file)
    settings = policy.spec.faq
    if semantic is not None:
        settings = settings.model_copy(update={"semantic": semantic})
    desk = faq_desk(kb_file, settings, policy.path.parent)
    return ask(desk, sys.stdin, sys.stdout)


def kb_lint(files: list[Path], policy_file: Path | None) -> int:
    if not files:
        policy = load_policy(policy_file)
        files = [policy.path.parent / policy.spec.faq.knowledge_base]
    errors = 0
    for file in files:
        try:
            kb = load_kb(file)
        except PolicyError as exc:
            print(exc)
            errors += len(exc.problems)
            continue
        phrasings = sum(len(e.questions) for e in kb.entries)
        print(f"{file}: ok ({len(kb.entries)} entries, {phrasings} phrasings)")
    return 1 if errors else 0
