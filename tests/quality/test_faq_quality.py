"""`modbot ask` against the labelled FAQ sets (tests/corpus/faq*.jsonl), through tests/quality/score_faq.py.
The floors sit just below the figures measured when they were set (see the issue notes): a regression
fails; the issue's targets are higher and reported honestly in the notes and the README."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCORER = Path(__file__).with_name("score_faq.py")
CORPUS = ROOT / "tests" / "corpus"
MEASURES = (
    "answered",
    "answered_or_suggested",
    "direct_right",
    "person_escalated_or_suggested",
    "chitchat_ignored",
)


# (corpus, its knowledge base or None for the bundled one, `modbot ask` options, floors in MEASURES order).
# `--lexical` is the default install's matcher; `--semantic` the one `make install` sets up (faq.semantic:
# auto with the extra installed).
L, S = ["--lexical"], ["--semantic"]
SETS = {
    "bundled telecom KB": ("faq.jsonl", None, L, (0.63, 0.94, 0.99, 0.99, 0.96)),
    "a bank": ("faq_bank.jsonl", "faq_bank_kb.yaml", L, (0.7, 0.95, 0.96, 0.96, 0.96)),  # not written for
    # Written apart from the matcher, each scored once fresh (README); the bands, the glossary and the
    # triage cues were then tuned with them in view, so here they guard against regressions only.
    "telecom set #1": ("faq_holdout.jsonl", "faq_holdout_kb.yaml", L, (0.56, 0.89, 0.93, 0.94, 0.99)),
    "telecom set #2": ("faq_holdout2.jsonl", "faq_holdout2_kb.yaml", L, (0.61, 0.95, 0.94, 0.93, 0.93)),
    "telecom set #3": ("faq_holdout3.jsonl", "faq_holdout3_kb.yaml", L, (0.82, 0.98, 0.93, 0.9, 0.9)),
    "telecom set #4": ("faq_holdout4.jsonl", "faq_holdout4_kb.yaml", L, (0.66, 0.97, 0.99, 0.98, 0.9)),
    "telecom set #5": ("faq_holdout5.jsonl", "faq_holdout5_kb.yaml", L, (0.57, 0.97, 0.97, 0.96, 0.96)),
    "telecom set #6": ("faq_holdout6.jsonl", "faq_holdout6_kb.yaml", L, (0.65, 0.98, 0.94, 0.93, 0.93)),
    "telecom set #7": ("faq_holdout7.jsonl", "faq_holdout7_kb.yaml", L, (0.61, 0.92, 0.97, 0.98, 0.96)),
    "telecom set #8": ("faq_holdout8.jsonl", "faq_holdout8_kb.yaml", L, (0.58, 0.95, 0.94, 0.94, 0.93)),
    "telecom set #9": ("faq_holdout9.jsonl", "faq_holdout9_kb.yaml", L, (0.67, 0.95, 0.96, 0.95, 0.9)),
    "telecom set #10": ("faq_holdout10.jsonl", "faq_holdout10_kb.yaml", L, (0.62, 0.94, 0.95, 0.95, 0.99)),
    "telecom set #11": ("faq_holdout11.jsonl", "faq_holdout11_kb.yaml", L, (0.51, 0.97, 0.94, 0.94, 0.9)),
    "telecom set #12": ("faq_holdout12.jsonl", "faq_holdout12_kb.yaml", L, (0.48, 0.91, 0.97, 0.97, 0.9)),
    "telecom set #13": ("faq_holdout13.jsonl", "faq_holdout13_kb.yaml", L, (0.7, 0.92, 0.96, 0.95, 0.96)),
    "telecom set #14": ("faq_holdout14.jsonl", "faq_holdout14_kb.yaml", L, (0.62, 0.96, 0.96, 0.95, 0.93)),
    "telecom set #15": ("faq_holdout15.jsonl", "faq_holdout15_kb.yaml", L, (0.57, 0.91, 0.97, 0.96, 0.99)),
    "telecom set #16": ("faq_holdout16.jsonl", "faq_holdout16_kb.yaml", L, (0.59, 0.93, 0.96, 0.95, 0.96)),
    "telecom set #17": ("faq_holdout17.jsonl", "faq_holdout17_kb.yaml", L, (0.54, 0.9, 0.95, 0.97, 0.93)),
    "telecom set #18": ("faq_holdout18.jsonl", "faq_holdout18_kb.yaml", L, (0.58, 0.9, 0.97, 0.96, 0.99)),
    "telecom set #19": ("faq_holdout19.jsonl", "faq_holdout19_kb.yaml", L, (0.58, 0.92, 0.97, 0.97, 0.93)),
    "telecom set #20": ("faq_holdout20.jsonl", "faq_holdout20_kb.yaml", L, (0.57, 0.92, 0.97, 0.98, 0.96)),
    "telecom set #21": ("faq_holdout21.jsonl", "faq_holdout21_kb.yaml", L, (0.65, 0.95, 0.96, 0.96, 0.96)),
    "telecom set #22": ("faq_holdout22.jsonl", "faq_holdout22_kb.yaml", L, (0.5, 0.97, 0.96, 0.95, 0.93)),
    "telecom set #23": ("faq_holdout23.jsonl", "faq_holdout23_kb.yaml", L, (0.74, 0.97, 0.96, 0.94, 0.96)),
    "telecom set #24": ("faq_holdout24.jsonl", "faq_holdout24_kb.yaml", L, (0.64, 0.9, 0.94, 0.92, 0.96)),
    "telecom set #25": ("faq_holdout25.jsonl", "faq_holdout25_kb.yaml", L, (0.73, 0.96, 0.95, 0.94, 0.96)),
    "telecom set #26": ("faq_holdout26.jsonl", "faq_holdout26_kb.yaml", L, (0.66, 0.91, 0.98, 0.97, 0.99)),
    "telecom set #27": ("faq_holdout27.jsonl", "faq_holdout27_kb.yaml", L, (0.71, 0.98, 0.95, 0.93, 0.99)),
    "telecom set #28": ("faq_holdout28.jsonl", "faq_holdout28_kb.yaml", L, (0.67, 0.95, 0.94, 0.93, 0.96)),
    "telecom set #31": ("faq_holdout31.jsonl", "faq_holdout31_kb.yaml", L, (0.67, 0.97, 0.95, 0.94, 0.9)),
    "telecom set #32": ("faq_holdout32.jsonl", "faq_holdout32_kb.yaml", L, (0.51, 0.92, 0.93, 0.92, 0.93)),
    "telecom set #33": ("faq_holdout33.jsonl", "faq_holdout33_kb.yaml", L, (0.54, 0.91, 0.94, 0.96, 0.93)),
    "meaning too: bundled telecom KB": ("faq.jsonl", None, S, (0.67, 0.94, 0.99, 0.99, 0.96)),
    "meaning too: bank": ("faq_bank.jsonl", "faq_bank_kb.yaml", S, (0.71, 0.95, 0.96, 0.96, 0.96)),
    "meaning too: set #4": ("faq_holdout4.jsonl", "faq_holdout4_kb.yaml", S, (0.71, 0.97, 0.99, 0.98, 0.9)),
    "meaning too: set #7": ("faq_holdout7.jsonl", "faq_holdout7_kb.yaml", S, (0.66, 0.92, 0.96, 0.97, 0.96)),
    "meaning too: set #8": ("faq_holdout8.jsonl", "faq_holdout8_kb.yaml", S, (0.65, 0.96, 0.95, 0.94, 0.93)),
    "meaning too: set #9": ("faq_holdout9.jsonl", "faq_holdout9_kb.yaml", S, (0.7, 0.95, 0.96, 0.95, 0.9)),
    "meaning too: #10": ("faq_holdout10.jsonl", "faq_holdout10_kb.yaml", S, (0.65, 0.94, 0.96, 0.95, 0.99)),
    "meaning too: #11": ("faq_holdout11.jsonl", "faq_holdout11_kb.yaml", S, (0.56, 0.97, 0.97, 0.96, 0.9)),
    "meaning too: #12": ("faq_holdout12.jsonl", "faq_holdout12_kb.yaml", S, (0.54, 0.91, 0.97, 0.97, 0.9)),
    "meaning too: #13": ("faq_holdout13.jsonl", "faq_holdout13_kb.yaml", S, (0.74, 0.92, 0.96, 0.95, 0.96)),
    "meaning too: #14": ("faq_holdout14.jsonl", "faq_holdout14_kb.yaml", S, (0.7, 0.96, 0.96, 0.95, 0.93)),
    "meaning too: #15": ("faq_holdout15.jsonl", "faq_holdout15_kb.yaml", S, (0.62, 0.91, 0.97, 0.96, 0.99)),
    "meaning too: #16": ("faq_holdout16.jsonl", "faq_holdout16_kb.yaml", S, (0.61, 0.93, 0.96, 0.95, 0.96)),
    "meaning too: #17": ("faq_holdout17.jsonl", "faq_holdout17_kb.yaml", S, (0.58, 0.9, 0.96, 0.97, 0.93)),
    "meaning too: #18": ("faq_holdout18.jsonl", "faq_holdout18_kb.yaml", S, (0.6, 0.9, 0.97, 0.96, 0.99)),
    "meaning too: #19": ("faq_holdout19.jsonl", "faq_holdout19_kb.yaml", S, (0.62, 0.93, 0.98, 0.97, 0.93)),
    "meaning too: #20": ("faq_holdout20.jsonl", "faq_holdout20_kb.yaml", S, (0.57, 0.92, 0.95, 0.96, 0.96)),
    "meaning too: #21": ("faq_holdout21.jsonl", "faq_holdout21_kb.yaml", S, (0.69, 0.95, 0.95, 0.95, 0.96)),
    "meaning too: #22": ("faq_holdout22.jsonl", "faq_holdout22_kb.yaml", S, (0.57, 0.97, 0.96, 0.94, 0.93)),
    "meaning too: #23": ("faq_holdout23.jsonl", "faq_holdout23_kb.yaml", S, (0.77, 0.97, 0.96, 0.94, 0.96)),
    "meaning too: #24": ("faq_holdout24.jsonl", "faq_holdout24_kb.yaml", S, (0.68, 0.9, 0.95, 0.92, 0.96)),
    "meaning too: #25": ("faq_holdout25.jsonl", "faq_holdout25_kb.yaml", S, (0.78, 0.96, 0.95, 0.93, 0.96)),
    "meaning too: #26": ("faq_holdout26.jsonl", "faq_holdout26_kb.yaml", S, (0.68, 0.91, 0.97, 0.96, 0.99)),
    "meaning too: #27": ("faq_holdout27.jsonl", "faq_holdout27_kb.yaml", S, (0.73, 0.98, 0.95, 0.93, 0.99)),
    "meaning too: #28": ("faq_holdout28.jsonl", "faq_holdout28_kb.yaml", S, (0.7, 0.95, 0.93, 0.92, 0.96)),
    "meaning too: #31": ("faq_holdout31.jsonl", "faq_holdout31_kb.yaml", S, (0.69, 0.97, 0.95, 0.94, 0.9)),
    "meaning too: #32": ("faq_holdout32.jsonl", "faq_holdout32_kb.yaml", S, (0.58, 0.92, 0.95, 0.93, 0.93)),
    "meaning too: #33": ("faq_holdout33.jsonl", "faq_holdout33_kb.yaml", S, (0.58, 0.91, 0.95, 0.95, 0.93)),
}


@pytest.mark.parametrize(("corpus", "kb", "options", "floors"), list(SETS.values()), ids=list(SETS))
def test_faq_quality(corpus: str, kb: str | None, options: list[str], floors: tuple[float, ...]) -> None:
    paths = ["--kb", str(CORPUS / kb)] if kb else []
    minimums = [
        arg for name, value in zip(MEASURES, floors, strict=True) for arg in ("--min", f"{name}={value}")
    ]
    result = subprocess.run(
        [sys.executable, str(SCORER), str(CORPUS / corpus), *paths, *options, *minimums],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
