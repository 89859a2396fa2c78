"""Engine throughput and latency on generated messages, and the peak memory of `modbot classify`.

usage: python bench/engine.py [--messages 100000] [--skip-classify]
Prints numbers; asserts nothing. One core, in process, the bundled policy.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from policies.compile import load_policy
from policies.engine import Engine
from policies.events import Author, ChatKind, Event

CLEAN = [
    "Добрый день, подскажите, как подключить роуминг в Турции?",
    "Третий день нет интернета в Люберцах, когда почините?",
    "Списали 300 рублей за подписку, которую я не подключал. Верните деньги",
    "Спасибо, всё заработало!",
    "А eSIM можно оформить через приложение?",
    "ВЫ ИЗДЕВАЕТЕСЬ?! ОПЯТЬ НЕТ СВЯЗИ",
    "Почему у вас дороже, чем у МТС?",
    "Тарифы тут https://volna.ru/tariffs, смотрите раздел для семьи",
    "How do I top up my balance from abroad?",
    "Доброго дня, чи працює роумінг у Польщі?",
]
VIOLATIONS = [
    "ну ты 6лять даёшь, опять связь пропала",
    "Зaрaбoтoк от 100$ в день, без вложений, пиши в лс",
    "Переходите на МегаФон, там дешевле и связь лучше",
    "ты идиот? читай правила",
    "t.me/+AbCdEfGh123 заходи",
    "xуй вам а не интернет",
]


def generate(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        base = rng.choice(VIOLATIONS) if rng.random() < 0.2 else rng.choice(CLEAN)
        texts.append(f"{base} {rng.randint(1, 999)}" if rng.random() < 0.5 else base)
    return texts


def bench_engine(texts: list[str]) -> None:
    engine = Engine(load_policy())
    at = datetime(2026, 1, 1, tzinfo=UTC)
    latencies = []
    started = time.perf_counter()
    for index, text in enumerate(texts):
        event = Event(
            "bench",
            "bench:1",
            ChatKind.GROUP,
            str(index),
            Author(f"bench:{index % 5000}"),
            text,
            at + timedelta(seconds=index),
        )
        t0 = time.perf_counter()
        engine.evaluate(event)
        latencies.append(time.perf_counter() - t0)
    total = time.perf_counter() - started
    latencies.sort()
    print(f"engine: {len(texts)} messages in {total:.2f} s = {len(texts) / total:,.0f} messages/s (one core)")
    print(
        f"latency per message: p50 {statistics.median(latencies) * 1e6:.0f} µs, "
        f"p99 {latencies[int(len(latencies) * 0.99)] * 1e6:.0f} µs"
    )


def bench_classify(texts: list[str]) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as feed:
        for index, text in enumerate(texts):
            feed.write(json.dumps({"id": index, "text": text}, ensure_ascii=False) + "\n")
    modbot = Path(sys.executable).parent / "modbot"
    started = time.perf_counter()
    with open(feed.name, encoding="utf-8") as source:
        subprocess.run([str(modbot), "classify"], stdin=source, stdout=subprocess.DEVNULL, check=True)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    size_mib = Path(feed.name).stat().st_size / 2**20
    print(
        f"modbot classify: {len(texts)} lines ({size_mib:.1f} MiB) in {seconds:.1f} s "
        f"= {len(texts) / seconds:,.0f} lines/s; peak memory {peak_mib:.0f} MiB"
    )
    Path(feed.name).unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--skip-classify", action="store_true")
    args = parser.parse_args()
    texts = generate(args.messages)
    bench_engine(texts)
    if not args.skip_classify:
        bench_classify(texts)


if __name__ == "__main__":
    main()
