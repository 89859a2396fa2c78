"""Scores `modbot ask` on a labelled FAQ set (tests/corpus/faq*.jsonl) by the issue's measures and prints
them, one per line. Exit 1 when a `--min NAME=VALUE` floor is not met.

    python tests/quality/score_faq.py tests/corpus/faq.jsonl [--kb KB] [--semantic | --lexical] \
        [--min answered=0.6 ...]

Labels: `class` question|problem|idea|chitchat and `entry` (the right entry, or null for a question the
knowledge base does not answer)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

MODBOT = Path(sys.executable).parent / "modbot"


def decide(
    corpus: Path, kb: Path | None, policy: Path | None = None, matcher: str | None = None
) -> dict[str, dict]:
    """`matcher`: "--semantic" or "--lexical" to override the policy's faq.semantic."""
    command = (
        [str(MODBOT), "ask"]
        + (["--kb", str(kb)] if kb else [])
        + (["--policy", str(policy)] if policy else [])
        + ([matcher] if matcher else [])
    )
    lines = corpus.read_text(encoding="utf-8")
    run = subprocess.run(command, input=lines, capture_output=True, text=True, check=True, timeout=300)
    return {out["id"]: out for out in map(json.loads, run.stdout.splitlines())}


def measures(labels: list[dict], decisions: dict[str, dict]) -> dict[str, float]:
    def share(hits: int, total: int) -> float:
        return round(hits / total, 3) if total else 1.0

    known = [x for x in labels if x["class"] == "question" and x["entry"]]
    person = [x for x in labels if x["class"] == "problem" or (x["class"] == "question" and not x["entry"])]
    chitchat = [x for x in labels if x["class"] == "chitchat"]
    direct = [x for x in labels if decisions[x["id"]]["decision"] == "answer"]

    def answered(x: dict) -> bool:
        return decisions[x["id"]]["entry"] == x["entry"]

    def offered(x: dict) -> bool:
        return answered(x) or x["entry"] in decisions[x["id"]]["suggestions"]

    return {
        "answered": share(sum(map(answered, known)), len(known)),
        "answered_or_suggested": share(sum(map(offered, known)), len(known)),
        "direct_right": share(sum(x["class"] == "question" and answered(x) for x in direct), len(direct)),
        "person_escalated_or_suggested": share(
            sum(decisions[x["id"]]["decision"] in ("escalate", "suggest") for x in person), len(person)
        ),
        "person_ignored": share(sum(decisions[x["id"]]["decision"] == "ignore" for x in person), len(person)),
        "chitchat_ignored": share(
            sum(decisions[x["id"]]["decision"] == "ignore" for x in chitchat), len(chitchat)
        ),
    }


def wrong(x: dict, d: dict) -> bool:
    """Not what the measures count as right: a known question not answered with its entry, a message that
    needs a person answered or ignored, chit-chat not ignored."""
    if x["class"] == "question" and x["entry"]:
        return d["entry"] != x["entry"]
    if x["class"] == "chitchat":
        return d["decision"] != "ignore"
    return d["decision"] == "answer" or (x["class"] != "idea" and d["decision"] == "ignore")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--kb", type=Path)
    parser.add_argument("--policy", type=Path, help="its `faq:` settings (bands, agreement)")
    matching = parser.add_mutually_exclusive_group()
    for flag, help_text in (("--semantic", "with the semantic matcher"), ("--lexical", "without it")):
        matching.add_argument(flag, dest="matcher", action="store_const", const=flag, help=help_text)
    parser.add_argument("--min", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--misses", action="store_true", help="print every wrong decision")
    args = parser.parse_args()
    labels = [
        json.loads(line) for line in args.corpus.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    decisions = decide(args.corpus, args.kb, args.policy, args.matcher)
    figures = measures(labels, decisions)
    for name, value in figures.items():
        print(f"{name} {value}")
    if args.misses:
        for x in labels:
            d = decisions[x["id"]]
            if not wrong(x, d):
                continue
            print(
                f"{x['class']:9} {x['entry'] or '-':22} -> {d['decision']:8} "
                f"{d['entry'] or d['suggestions']} {d['score']} {d['triage']} | {x['text']}"
            )
    failed = [f for f in args.min if figures[f.split("=")[0]] < float(f.split("=")[1])]
    for floor in failed:
        print(f"below floor: {floor}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
