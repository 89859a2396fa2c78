"""The `modbot` command line as an admin or a script runs it: the installed console script, in an empty
working directory (no `.env`), with POLICY_FILE and DATABASE_URL removed from the environment.

Each invocation costs a second of start-up, so every command this module needs is declared once as a job
and the jobs run concurrently on first use; each test then reads the results of its own job.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from policies.compile import DEFAULT_POLICY

_BESIDE_PYTHON = Path(sys.executable).parent / "modbot"
MODBOT = str(_BESIDE_PYTHON) if _BESIDE_PYTHON.is_file() else shutil.which("modbot")
ENV = {k: v for k, v in os.environ.items() if k.upper() not in {"POLICY_FILE", "DATABASE_URL", "LOG_LEVEL"}}
PROBLEM = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+):(?P<col>\d+)  (?P<path>[^:]+): (?P<message>.+)$")
VERDICT_KEYS = {"id", "verdict", "rule", "category", "action", "until", "explain"}
DAY = 86400


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    code: int
    out: str
    err: str

    def lines(self) -> list[str]:
        return self.out.splitlines()

    def json_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines()]


def modbot(cwd: Path, *args: str, stdin: str = "") -> Run:
    assert MODBOT, "the modbot console script is not installed"
    done = subprocess.run(
        [MODBOT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=ENV,
        timeout=120,
    )
    return Run(tuple(args), done.returncode, done.stdout, done.stderr)


def jsonl(*records: dict[str, Any] | str) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


def policy_copy(cwd: Path, *edits: tuple[str, str], folder: str = "policy") -> tuple[Path, str]:
    """The bundled policy folder copied under cwd with each (old, new) edit applied; (file, its text)."""
    target = cwd / folder
    shutil.copytree(DEFAULT_POLICY.parent, target)
    file = target / DEFAULT_POLICY.name
    text = file.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, f"the bundled policy changed: {old!r} is not there exactly once"
        text = text.replace(old, new)
    file.write_text(text, encoding="utf-8")
    return file, text


def position(text: str, needle: str, *, nth: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the start of `needle` in `text`."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


# --- the jobs ---------------------------------------------------------------------------------------------

JOBS: dict[str, Callable[[Path], Any]] = {}


def job(fn: Callable[[Path], Any]) -> Callable[[Path], Any]:
    JOBS[fn.__name__] = fn
    return fn


# A member's first strike, and a second incident two days later in another run: ban 7d only if remembered.
FIRST = {"id": "p1", "user": "p", "ts": 0, "text": "6лять"}
SECOND = {"id": "p2", "user": "p", "ts": 2 * DAY, "text": "6лять"}

CLEAN = "Ваш сервис ужасен, третий день нет интернета!"
PROFANE = "ну ты 6лять даёшь"

# The one classify run most checks read: (record or raw line, expected output), in input order.
# Expected is (verdict, category, action, until) or ("error",). One-off lines carry no "user".
CLASSIFY_BATCH: list[tuple[dict[str, Any] | str, tuple[Any, ...]]] = [
    ({"id": "clean", "text": CLEAN}, ("allow", None, "none", None)),
    ({"id": "mat", "text": PROFANE}, ("violation", "profanity", "warn", None)),
    ({"id": "invite", "text": "t.me/+AbCdEf123"}, ("violation", "ads", "warn", None)),
    ({"id": "insult", "text": "ты идиот?"}, ("violation", "insult", "warn", None)),
    ("this is not json", ("error",)),
    ({"id": "bad-text", "text": 5}, ("error",)),
    ({"text": ["a", "list"]}, ("error",)),
    ({"id": "after-errors", "text": "Спасибо, всё заработало"}, ("allow", None, "none", None)),
    # one member's incidents: a warn, a repeat in the same burst, then days later the ladder climbs
    ({"id": "u1", "user": "u", "ts": 0, "text": "6лять"}, ("violation", "profanity", "warn", None)),
    ({"id": "u2", "user": "u", "ts": 30, "text": "6лять"}, ("violation", "profanity", "delete", None)),
    (
        {"id": "u3", "user": "u", "ts": 2 * DAY, "text": "6лять"},
        ("violation", "profanity", "ban", iso(2 * DAY + 7 * DAY)),
    ),
    (
        {"id": "u4", "user": "u", "ts": 5 * DAY, "text": "6лять"},
        ("violation", "profanity", "ban", iso(5 * DAY + 30 * DAY)),
    ),
    # flood: six messages within ten seconds, one a second
    *(
        ({"id": f"f{n}", "user": "f", "ts": 1000 + n, "text": text}, ("allow", None, "none", None))
        for n, text in enumerate(["алло", "есть кто", "ау", "ну", "ответьте"], start=1)
    ),
    ({"id": "f6", "user": "f", "ts": 1006, "text": "пожалуйста"}, ("violation", "flood", "warn", None)),
    (FIRST, ("violation", "profanity", "warn", None)),
    ({"id": 99, "text": None}, ("error",)),
]


def _batch_ref(number: int, record: dict[str, Any] | str) -> str:
    return str(record.get("id", number)) if isinstance(record, dict) else str(number)


@job
def classify_batch(cwd: Path) -> tuple[Run, Run, Path]:
    """The batch, then SECOND in a new run without --db: nothing of the batch may be remembered."""
    batch = modbot(cwd, "classify", stdin=jsonl(*(record for record, _ in CLASSIFY_BATCH)))
    return batch, modbot(cwd, "classify", stdin=jsonl(SECOND)), cwd


@job
def classify_with_db(cwd: Path) -> tuple[Run, Run, Path]:
    url = "sqlite+aiosqlite:///" + str(cwd / "x.db")
    first = modbot(cwd, "classify", "--db", url, stdin=jsonl(FIRST))
    return first, modbot(cwd, "classify", "--db", url, stdin=jsonl(SECOND)), cwd


@job
def classify_bad_times(cwd: Path) -> Run:
    lines = jsonl(
        '{"id": "huge", "text": "привет", "ts": 1e20}',
        '{"id": "nan", "text": "привет", "ts": NaN}',
        {"id": "fine", "text": "привет"},
    )
    return modbot(cwd, "classify", stdin=lines)


@job
def lint_bundled(cwd: Path) -> Run:
    return modbot(cwd, "policy", "lint")


# Mistakes the schema catches, and mistakes in references that only the compiler catches.
SCHEMA_MISTAKES = [
    ("    category: insult\n    severity: 2\n", "    category: insult\n    severety: 2\n"),
    ("{at: 2, do: {ban: 7d}}", "{at: 2, do: {ban: 7days}}"),
    (
        "  - id: flood\n",
        "  - id: phones\n    title: Телефоны\n    detect:\n      regex: '(a)\\1'\n"
        "    then: [delete]\n\n  - id: flood\n",
    ),
]
REFERENCE_MISTAKES = [
    (
        '    then: [remove_and_explain, {strike: 1}]\n    tests:\n      match:\n        - {text: "ну ты',
        '    then: [remove_and_explian, {strike: 1}]\n    tests:\n      match:\n        - {text: "ну ты',
    ),
    ("        - lexicon: insults\n", "        - lexicon: insultz\n"),
]


@job
def lint_mistakes(cwd: Path) -> tuple[Run, dict[str, str]]:
    """One lint run over two copies: `refs/` with the reference mistakes only, `all/` with every one."""
    _, refs = policy_copy(cwd, *REFERENCE_MISTAKES, folder="refs")
    _, every = policy_copy(cwd, *SCHEMA_MISTAKES, *REFERENCE_MISTAKES, folder="all")
    run = modbot(cwd, "policy", "lint", "refs/policy.yaml", "all/policy.yaml")
    return run, {"refs/policy.yaml": refs, "all/policy.yaml": every}


@job
def policy_test_bundled(cwd: Path) -> Run:
    return modbot(cwd, "policy", "test")


@job
def policy_test_failing_case(cwd: Path) -> tuple[Run, str]:
    _, text = policy_copy(cwd, ('        - "Бляха на ремне потерялась"', '        - "ну ты 6лять даёшь"'))
    return modbot(cwd, "policy", "test", "policy/policy.yaml"), text


@job
def schema(cwd: Path) -> Run:
    return modbot(cwd, "policy", "schema")


@job
def replay_example(cwd: Path) -> Run:
    return modbot(cwd, "replay")


HISTORY = [
    {"id": "m1", "user": "a", "ts": 1000, "text": "Переходите в t.me/cheap_sim"},
    {"id": "m2", "user": "b", "ts": 1001, "text": PROFANE},
    {"id": "m3", "user": "c", "ts": 1002, "text": "Интернет заработал, спасибо!"},
]


@job
def replay_jsonl_diff(cwd: Path) -> Run:
    (cwd / "history.jsonl").write_text(jsonl(*HISTORY), encoding="utf-8")
    policy_copy(
        cwd,
        (
            "    title: Реклама и продвижение конкурентов\n",
            "    title: Реклама и продвижение конкурентов\n    mode: off\n",
        ),
        folder="old",
    )
    return modbot(cwd, "replay", "history.jsonl", "--diff", "old/policy.yaml")


@job
def replay_missing(cwd: Path) -> Run:
    return modbot(cwd, "replay", "missing.json")


@job
def explain_member(cwd: Path) -> Run:
    return modbot(cwd, "explain", PROFANE)


@job
def explain_moderator(cwd: Path) -> Run:
    return modbot(cwd, "explain", PROFANE, "--as", "moderator")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Future[Any]]]:
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        yield {name: pool.submit(fn, tmp_path_factory.mktemp(name)) for name, fn in JOBS.items()}


def result(runs: dict[str, Future[Any]], name: str) -> Any:
    return runs[name].result(timeout=300)


# --- classify ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def batch(runs: dict[str, Future[Any]]) -> dict[str, dict[str, Any]]:
    run: Run = result(runs, "classify_batch")[0]
    assert run.code == 0, run.err
    return {str(line["id"]): line for line in run.json_lines()}


def test_classify_answers_every_line_in_input_order(runs: dict[str, Future[Any]]) -> None:
    run: Run = result(runs, "classify_batch")[0]
    assert run.code == 0, run.err
    out = run.json_lines()
    expected_ids = [_batch_ref(n, record) for n, (record, _) in enumerate(CLASSIFY_BATCH, start=1)]
    assert [str(line["id"]) for line in out] == expected_ids
    for line, (_, expected) in zip(out, CLASSIFY_BATCH, strict=True):
        assert set(line) == ({"id", "error"} if expected == ("error",) else VERDICT_KEYS), line


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        (_batch_ref(n, record), expected)
        for n, (record, expected) in enumerate(CLASSIFY_BATCH, start=1)
        if expected != ("error",)
    ],
)
def test_classify_verdicts(batch: dict[str, dict[str, Any]], ref: str, expected: tuple[Any, ...]) -> None:
    line = batch[ref]
    assert (line["verdict"], line["category"], line["action"], line["until"]) == expected, line
    assert (line["rule"] is None) == (expected[0] == "allow")
    assert isinstance(line["explain"], str) and line["explain"]


@pytest.mark.parametrize(
    ("ref", "needles"),
    [
        ("clean", ["no rule matched"]),
        ("mat", ["rule=profanity", '"6лять"', "warn"]),
        ("invite", ["rule=ads", "t.me/+AbCdEf123"]),
        ("insult", ["rule=insults", '"идиот"']),
        ("u2", ["collapsed", "no new strike"]),
        ("u3", ["1→2", "ban 7d"]),
        ("u4", ["2→3", "ban 30d"]),
        ("f6", ["rule=flood", "6 messages in 10s"]),
    ],
)
def test_classify_explanations(batch: dict[str, dict[str, Any]], ref: str, needles: list[str]) -> None:
    for needle in needles:
        assert needle in batch[ref]["explain"]


@pytest.mark.parametrize(
    ("ref", "needle"),
    [("5", "line 5: not JSON"), ("bad-text", "'text' must be a string"), ("7", "'text' must be a string")],
)
def test_classify_reports_a_bad_line_and_goes_on(
    batch: dict[str, dict[str, Any]], ref: str, needle: str
) -> None:
    assert needle in batch[ref]["error"]
    assert batch["after-errors"]["verdict"] == "allow"


def test_classify_error_line_echoes_the_given_id_unchanged(runs: dict[str, Future[Any]]) -> None:
    run: Run = result(runs, "classify_batch")[0]
    last = run.json_lines()[-1]
    assert "error" in last
    assert last["id"] == 99


def test_classify_survives_timestamps_out_of_range(runs: dict[str, Future[Any]]) -> None:
    run: Run = result(runs, "classify_bad_times")
    assert run.code == 0, run.err
    out = run.json_lines()
    assert [str(line["id"]) for line in out] == ["huge", "nan", "fine"]
    assert "error" in out[0] and "error" in out[1] and out[2]["verdict"] == "allow"


@pytest.mark.parametrize(
    ("name", "second_action", "second_until"),
    [
        ("classify_with_db", "ban", iso(2 * DAY + 7 * DAY)),  # the first run's strike was kept
        ("classify_batch", "warn", None),  # without --db every run starts afresh
    ],
)
def test_classify_keeps_strikes_only_in_the_database_it_is_given(
    runs: dict[str, Future[Any]], name: str, second_action: str, second_until: str | None
) -> None:
    first, second, cwd = result(runs, name)
    assert first.code == 0 and second.code == 0, first.err + second.err
    one = next(line for line in first.json_lines() if line["id"] == "p1")
    (two,) = second.json_lines()
    assert one["action"] == "warn"
    assert (two["id"], two["action"], two["until"]) == ("p2", second_action, second_until)
    files = {p.name for p in cwd.iterdir()}
    if name == "classify_with_db":
        assert "x.db" in files
    else:
        assert files == set(), "an in-memory run must leave no database behind"


# --- policy lint / test / schema --------------------------------------------------------------------------


def problems(run: Run, file: str) -> list[re.Match[str]]:
    """The error lines about `file`; every line of the output must be an error line."""
    lines = run.lines()
    matches = [PROBLEM.match(line) for line in lines]
    assert all(matches), [line for line, m in zip(lines, matches, strict=True) if not m]
    return [m for m in matches if m and m["file"] == file]


def test_lint_passes_the_bundled_policy(runs: dict[str, Future[Any]]) -> None:
    run: Run = result(runs, "lint_bundled")
    assert run.code == 0, run.out + run.err
    assert re.search(r"^policy\.yaml: ok \(4 rules, policy [0-9a-f]{16}\)$", run.out, re.M)


def _find(found: list[re.Match[str]], needle: str) -> re.Match[str]:
    hits = [m for m in found if needle in m["message"]]
    assert hits, f"no error mentions {needle!r}: {[m.group(0) for m in found]}"
    return hits[0]


# (needle in the message, needle in the written file where the error must point, path)
SCHEMA_ERRORS = [
    ("unknown key 'severety' (did you mean 'severity'?)", "severety:", "rules[insults].severety"),
    ("bad duration '7days'", "ban: 7days", "ladder.steps[1].do.ban"),
    ("RE2 rejects", "regex: '(a)\\1'", "rules[phones].detect.regex"),
]


@pytest.mark.parametrize(("message", "anchor", "path"), SCHEMA_ERRORS, ids=["key", "duration", "regex"])
def test_lint_reports_schema_mistakes_where_they_are(
    runs: dict[str, Future[Any]], message: str, anchor: str, path: str
) -> None:
    run, texts = result(runs, "lint_mistakes")
    assert run.code == 1
    problem = _find(problems(run, "all/policy.yaml"), message)
    text = texts["all/policy.yaml"]
    assert (int(problem["line"]), int(problem["col"])) == position(text, anchor)
    assert problem["path"].startswith(path)


def test_lint_reports_reference_mistakes_with_a_did_you_mean(runs: dict[str, Future[Any]]) -> None:
    run, texts = result(runs, "lint_mistakes")
    assert run.code == 1
    text = texts["refs/policy.yaml"]
    found = problems(run, "refs/policy.yaml")
    assert len(found) == 2, run.out
    bundle = _find(found, "unknown bundle 'remove_and_explian' (did you mean 'remove_and_explain'?)")
    assert (int(bundle["line"]), int(bundle["col"])) == position(text, "remove_and_explian")
    assert bundle["path"] == "rules[profanity].then[0]"
    lexicon = _find(found, "unknown lexicon 'insultz' (did you mean 'insults'?)")
    assert lexicon["path"].startswith("rules[insults].detect")
    assert int(lexicon["line"]) == position(text, "insultz")[0]


def test_lint_lists_every_mistake_in_one_run(runs: dict[str, Future[Any]]) -> None:
    run, _ = result(runs, "lint_mistakes")
    assert run.code == 1
    found = problems(run, "all/policy.yaml")
    for needle in ("severety", "7days", "RE2 rejects", "remove_and_explian", "insultz"):
        _find(found, needle)


def test_policy_test_passes_the_bundled_policy(runs: dict[str, Future[Any]]) -> None:
    run: Run = result(runs, "policy_test_bundled")
    assert run.code == 0, run.out
    assert re.search(r"^policy\.yaml: [1-9]\d* passed, 0 failed$", run.out, re.M)
    assert "FAIL" not in run.out


def test_policy_test_fails_on_an_obscene_no_match_case(runs: dict[str, Future[Any]]) -> None:
    run, text = result(runs, "policy_test_failing_case")
    assert run.code == 1
    fails = [line for line in run.lines() if line.startswith("FAIL ")]
    assert len(fails) == 1, run.out
    line, col = position(text, '"ну ты 6лять даёшь"', nth=1)  # the first is the rule's match case
    assert fails[0].startswith(f"FAIL policy.yaml:{line}:{col}  rules[profanity].tests.no_match[0]: ")
    assert "6лять" in fails[0]
    assert re.search(r"^policy\.yaml: \d+ passed, 1 failed$", run.out, re.M)


def test_schema_is_json_with_rules_and_ladder(runs: dict[str, Future[Any]]) -> None:
    run: Run = result(runs, "schema")
    assert run.code == 0
    schema = json.loads(run.out)
    assert {"rules", "ladder"} <= set(schema["properties"])
    assert {"rules", "ladder"} <= set(schema["required"])


# --- replay -----------------------------------------------------------------------------------------------


def per_rule(out: str) -> dict[str, int]:
    section = out.split("Violations per rule:\n", 1)[1].split("\n\n", 1)[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"^  (\w+)\s+(\d+)$", section, re.M)}


def test_replay_reports_the_bundled_example(runs: dict[str, Future[Any]]) -> None:
    run: Run = result(runs, "replay_example")
    assert run.code == 0, run.err
    counts = per_rule(run.out)
    for rule in ("profanity", "ads", "insults", "flood"):
        assert counts.get(rule, 0) > 0, counts
    assert re.search(r"^  ban forever\s+Гоша_77$", run.out, re.M)
    assert re.search(r"^\d+ messages replayed$", run.out, re.M)


def test_replay_reads_json_lines_and_diffs_against_an_old_policy(runs: dict[str, Future[Any]]) -> None:
    run: Run = result(runs, "replay_jsonl_diff")
    assert run.code == 0, run.err
    assert run.out.startswith("3 messages replayed\n")
    assert per_rule(run.out) == {"ads": 1, "profanity": 1}
    diff = run.out.split("Verdicts that change against the old policy: ", 1)[1].splitlines()
    assert diff[0] == "1"
    assert diff[1:] == ["  #m1 allow → ads/warn: 'Переходите в t.me/cheap_sim'"]


def test_replay_of_a_missing_file_says_so_in_one_line(runs: dict[str, Future[Any]]) -> None:
    run: Run = result(runs, "replay_missing")
    assert run.code == 2
    assert run.out == ""
    assert run.err.splitlines() == ["modbot replay: missing.json not found"]


# --- explain ----------------------------------------------------------------------------------------------


def test_explain_names_the_rule_and_the_span_without_the_ladder(runs: dict[str, Future[Any]]) -> None:
    run: Run = result(runs, "explain_member")
    assert run.code == 0, run.err
    assert "rule=profanity" in run.out
    assert 'span[6:11]="6лять"' in run.out
    assert "exempt: no (member)" in run.out and "mode: enforce" in run.out
    assert "ladder" not in run.out and "strike" not in run.out


def test_explain_as_moderator_says_exempt(runs: dict[str, Future[Any]]) -> None:
    run: Run = result(runs, "explain_moderator")
    assert run.code == 0, run.err
    assert "rule=profanity" in run.out
    assert "exempt: moderators are exempt" in run.out
    assert "mode: exempt" in run.out
    assert "exempt: no" not in run.out
