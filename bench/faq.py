"""FAQ latency per question with a large knowledge base: the bundled entries plus generated ones up to
`--entries` (default 1,000), each with six phrasings drawn from the bundled vocabulary, so the n-gram
matrix has the size and the sparsity of a real 1,000-entry base.

usage: python bench/faq.py [--entries 1000] [--questions 3000]
Prints numbers; asserts nothing. One core, in process, the matcher as `modbot ask` runs it (no semantic
extra unless --semantic).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

from policies.faq.decide import FaqDesk
from policies.faq.kb import EntrySpec, KbSpec, KnowledgeBase, load_kb
from policies.schema import Faq

ROOT = Path(__file__).resolve().parents[1]


def big_kb(entries: int, rng: random.Random) -> KnowledgeBase:
    bundled = load_kb()
    words = sorted({w for e in bundled.entries for q in e.questions for w in q.split()})
    generated = [
        EntrySpec(
            id=f"gen-{n}",
            questions=[" ".join(rng.sample(words, rng.randint(3, 8))) + "?" for _ in range(6)],
            answer=f"Ответ {n}",
        )
        for n in range(entries - len(bundled.entries))
    ]
    spec = KbSpec.model_validate({"entries": [*bundled.spec.entries, *generated]})
    return KnowledgeBase(spec, bundled.file)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=3000)
    parser.add_argument("--semantic", action="store_true")
    args = parser.parse_args()
    rng = random.Random(7)
    kb = big_kb(args.entries, rng)
    started = time.perf_counter()
    desk = FaqDesk(kb, Faq(semantic=args.semantic))
    built = time.perf_counter() - started
    texts = [json.loads(line)["text"] for line in (ROOT / "tests/corpus/faq.jsonl").open(encoding="utf-8")]
    latencies = []
    for n in range(args.questions):
        text = texts[n % len(texts)]
        t0 = time.perf_counter()
        desk.decide(text)
        latencies.append(time.perf_counter() - t0)
    latencies.sort()
    phrasings = sum(len(e.questions) for e in kb.entries)
    print(f"knowledge base: {len(kb.entries)} entries, {phrasings} phrasings, built in {built:.2f} s")
    print(
        f"{len(latencies)} questions: p50 {statistics.median(latencies) * 1000:.2f} ms, "
        f"p99 {latencies[int(0.99 * len(latencies))] * 1000:.2f} ms, "
        f"max {latencies[-1] * 1000:.2f} ms, {len(latencies) / sum(latencies):.0f} questions/s"
    )


if __name__ == "__main__":
    main()
