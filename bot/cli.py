"""The `modbot` command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot import policy_commands
from bot.classify import classify
from bot.events_io import EXAMPLE_CHAT
from bot.replay import replay
from bot.settings import SettingsError, load_settings
from handlers.moderation import Moderation
from policies.compile import load_policy
from policies.yamlsource import PolicyError
from storage import Database

MEMORY_DB = "sqlite+aiosqlite://"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="modbot", description="Moderation and FAQ bot for brand communities."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    policy = sub.add_parser("policy", help="check the admins' policy files").add_subparsers(
        dest="action", required=True
    )
    for name, text in (
        ("lint", "validate; errors as file:line:col"),
        ("test", "run the rules' tests and scenarios"),
    ):
        p = policy.add_parser(name, help=text)
        p.add_argument(
            "files", nargs="*", type=Path, help="policy files (default: POLICY_FILE or the bundled one)"
        )
    policy.add_parser("schema", help="print the policy's JSON Schema")

    c = sub.add_parser("classify", help="JSON Lines on stdin -> one verdict line each on stdout")
    c.add_argument("--policy", type=Path)
    c.add_argument("--db", help="keep strikes in this database (default: in memory)")

    r = sub.add_parser("replay", help="run a chat history through the policy and report")
    r.add_argument(
        "file",
        nargs="?",
        type=Path,
        default=EXAMPLE_CHAT,
        help="Telegram Desktop result.json or JSON Lines (default: the bundled example chat)",
    )
    r.add_argument("--policy", type=Path)
    r.add_argument("--diff", type=Path, metavar="OLD_POLICY", help="list the messages whose verdict changes")

    a = sub.add_parser("ask", help="JSON Lines questions on stdin -> one FAQ decision line each on stdout")
    a.add_argument("--kb", type=Path, help="knowledge base (default: the policy's)")
    a.add_argument("--policy", type=Path)
    matching = a.add_mutually_exclusive_group()
    matching.add_argument(
        "--semantic",
        dest="semantic",
        action="store_const",
        const=True,
        help="match by meaning too, as faq.semantic: true (needs the extra)",
    )
    matching.add_argument(
        "--lexical",
        dest="semantic",
        action="store_const",
        const=False,
        help="characters and words only, as faq.semantic: false (the default install's matcher)",
    )

    kb = sub.add_parser("kb", help="check the knowledge base").add_subparsers(dest="action", required=True)
    k = kb.add_parser("lint", help="validate; errors as file:line:col")
    k.add_argument("files", nargs="*", type=Path, help="knowledge bases (default: the policy's)")
    k.add_argument("--policy", type=Path)

    rp = sub.add_parser("report", help="response rate and times of questions and tickets")
    rp.add_argument("--since", default="7d", help="how far back, e.g. 24h, 7d, 30d (default 7d)")
    rp.add_argument("--png", type=Path, help="also draw daily volume and response times into this file")
    rp.add_argument("--db", help="database URL (default: DATABASE_URL or the SQLite file)")

    sub.add_parser("run", help="run the bot on every platform whose credentials are set (.env)")
    d = sub.add_parser("demo", help="a scripted scene against the in-repo Bot API emulator: no token needed")
    d.add_argument("--policy", type=Path)

    e = sub.add_parser("explain", help="the full explanation for one message")
    e.add_argument("text")
    e.add_argument("--policy", type=Path)
    e.add_argument("--chat", default="cli:chat")
    e.add_argument("--as", dest="role", default="member", choices=["member", "moderator", "admin", "bot"])
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "run":
        from bot.run import run  # the platforms' libraries load only when a bot runs

        return run()
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"modbot: {exc}", file=sys.stderr)
        return 2
    policy_file = getattr(args, "policy", None) or settings.policy_file
    try:
        if args.command == "policy":
            files = getattr(args, "files", None) or ([settings.policy_file] if settings.policy_file else [])
            return {"lint": policy_commands.lint, "test": policy_commands.test}.get(
                args.action, lambda _: policy_commands.schema()
            )(files)
        if args.command == "demo":
            from bot.demo import run_demo

            return run_demo(policy_file, sys.stdout)
        if args.command in ("ask", "kb"):
            from bot import faq_commands  # scikit-learn loads only for the knowledge base's commands

            if args.command == "ask":
                return faq_commands.ask_command(args.kb, policy_file, args.semantic)
            return faq_commands.kb_lint(args.files, policy_file)
        if args.command == "report":
            from bot.report_command import print_report

            return asyncio.run(print_report(args.db or settings.database_url, args.since, args.png))
        if args.command == "explain":
            return policy_commands.explain(args.text, policy_file, args.chat, args.role)
        if args.command == "classify":
            return _with_moderation(policy_file, args.db or MEMORY_DB, lambda m: classify(m))
        if args.command == "replay":
            if not args.file.is_file():
                print(f"modbot replay: {args.file} not found", file=sys.stderr)
                return 2
            old = load_policy(args.diff) if args.diff else None
            return _with_moderation(policy_file, MEMORY_DB, lambda m: _replay(args.file, m, old))
    except PolicyError as exc:
        print(exc, file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    return 2


async def _replay(file: Path, moderation: Moderation, old_policy: object) -> int:
    old = None
    if old_policy is not None:
        old = Moderation(old_policy, await Database.open(MEMORY_DB))  # type: ignore[arg-type]
    try:
        return await replay(file, moderation, sys.stdout, old)
    finally:
        if old is not None:
            await old.db.close()


def _with_moderation(policy_file: Path | None, url: str, run: Callable[[Moderation], Awaitable[int]]) -> int:
    policy = load_policy(policy_file)

    async def go() -> int:
        db = await Database.open(url)
        try:
            return await run(Moderation(policy, db))
        finally:
            await db.close()

    return asyncio.run(go())


if __name__ == "__main__":
    sys.exit(main())
