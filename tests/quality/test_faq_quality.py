"""`modbot ask` against the labelled FAQ sets (tests/corpus/faq*.jsonl), through tests/quality/score_faq.py.
The floors sit just below the figures measured when they were set (see the issue notes): a regression
fails; the issue's targets are higher and reported honestly in the notes."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCORER = Path(__file__).with_name("score_faq.py")
CORPUS = ROOT / "tests" / "corpus"


def score(corpus: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCORER), str(CORPUS / corpus), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def floors(**values: float) -> list[str]:
    return [arg for name, value in values.items() for arg in ("--min", f"{name}={value}")]


def test_the_bundled_telecom_knowledge_base() -> None:
    result = score(
        "faq.jsonl",
        *floors(
            answered=0.59,
            answered_or_suggested=0.9,
            direct_right=0.95,
            person_escalated_or_suggested=0.96,
            chitchat_ignored=0.87,
        ),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_bank_knowledge_base_the_matcher_was_not_written_for() -> None:
    result = score(
        "faq_bank.jsonl",
        "--kb",
        str(CORPUS / "faq_bank_kb.yaml"),
        *floors(
            answered=0.69,
            answered_or_suggested=0.94,
            direct_right=0.95,
            person_escalated_or_suggested=0.93,
            chitchat_ignored=0.89,
        ),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_held_out_telecom_set_written_apart_from_the_matcher() -> None:
    # Never tuned on: the honest figures, below the targets for answered (0.60) and direct_right.
    result = score(
        "faq_holdout.jsonl",
        "--kb",
        str(CORPUS / "faq_holdout_kb.yaml"),
        *floors(
            answered=0.5,
            answered_or_suggested=0.85,
            direct_right=0.93,
            person_escalated_or_suggested=0.95,
            chitchat_ignored=0.96,
        ),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_semantic_matcher_answers_more_where_meaning_agrees() -> None:
    result = score(
        "faq.jsonl",
        "--semantic",
        *floors(
            answered=0.65,
            answered_or_suggested=0.9,
            direct_right=0.96,
            person_escalated_or_suggested=0.96,
            chitchat_ignored=0.88,
        ),
    )
    assert result.returncode == 0, result.stdout + result.stderr
