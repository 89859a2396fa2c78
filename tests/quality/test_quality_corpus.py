"""The classifier against labelled corpora, through the installed `modbot classify` and the shared scorer.
The floors are below the figures measured when they were set (see the issue notes), so a regression fails."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODBOT = Path(sys.executable).parent / "modbot"
SCORER = ROOT.parent / "shared" / "tools" / "score-classify"


def score(corpus: Path, *floors: str) -> subprocess.CompletedProcess[str]:
    if not SCORER.is_file():
        pytest.skip("../shared/tools/score-classify is not beside this checkout")
    return subprocess.run(
        [sys.executable, str(SCORER), str(corpus), "--cmd", f"{MODBOT} classify", *floors],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_development_corpus() -> None:
    result = score(
        ROOT / "tests" / "corpus" / "dev.jsonl",
        "--min-p",
        "profanity=0.97",
        "--min-r",
        "profanity=0.95",
        "--min-p",
        "ads=0.95",
        "--min-r",
        "ads=0.95",
        "--min-p",
        "insult=0.90",
        "--min-r",
        "insult=0.95",
        "--max-fpr",
        "0.02",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_public_tg_spam_corpus() -> None:
    corpus = ROOT.parent / "shared" / "corpus" / "tg-spam" / "messages.jsonl"
    if not corpus.is_file():
        pytest.skip("../shared/corpus is not beside this checkout")
    result = score(corpus, "--min-p", "ads=0.95", "--min-r", "ads=0.95", "--max-fpr", "0.02")
    assert result.returncode == 0, result.stdout + result.stderr


def test_holdout_corpus() -> None:
    """Written apart from the detectors (tests/corpus/README.md); its misses were fixed by category only."""
    result = score(
        ROOT / "tests" / "corpus" / "holdout.jsonl",
        "--min-p",
        "profanity=0.97",
        "--min-r",
        "profanity=0.97",
        "--min-p",
        "ads=0.97",
        "--min-r",
        "ads=0.97",
        "--min-p",
        "insult=0.95",
        "--min-r",
        "insult=0.90",
        "--max-fpr",
        "0.015",
    )
    assert result.returncode == 0, result.stdout + result.stderr
