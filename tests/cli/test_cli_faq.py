"""`modbot ask` and `modbot kb lint` end to end through the installed command."""

import json
import subprocess
import sys
from pathlib import Path

MODBOT = Path(sys.executable).parent / "modbot"


def modbot(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(MODBOT), *args], input=stdin, capture_output=True, text=True, timeout=120)


def test_ask_answers_one_line_per_input_in_order_and_survives_a_bad_line() -> None:
    lines = [
        {"id": "q1", "text": "Как проверить баланс?"},
        {"id": "q2", "text": "Верните деньги за роутер, списали дважды!"},
        {"id": "q3", "text": "спасибо, всё заработало 👍"},
    ]
    stdin = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\nnot json\n" + '{"id": "q5"}\n'
    run = modbot("ask", stdin=stdin)
    assert run.returncode == 0, run.stderr
    out = [json.loads(line) for line in run.stdout.splitlines()]
    assert [o["id"] for o in out] == ["q1", "q2", "q3", "4", "q5"]
    assert out[0] | {"score": 0} == {
        "id": "q1",
        "decision": "answer",
        "entry": "balance-check",
        "suggestions": [],
        "score": 0,
        "triage": "question",
        "lang": "ru",
    }
    assert out[0]["score"] > 0.55
    assert (out[1]["decision"], out[1]["entry"], out[1]["triage"]) == ("escalate", None, "problem")
    assert out[2]["decision"] == "ignore"
    assert "not JSON" in out[3]["error"] and "text" in out[4]["error"]


def test_kb_lint_names_file_line_and_path(tmp_path: Path) -> None:
    kb = tmp_path / "kb.yaml"
    kb.write_text(
        "entries:\n"
        "  - id: balance\n"
        "    questions: [Как проверить баланс?]\n"
        "    answer: '*100#'\n"
        "    tagz: [x]\n"
        "  - id: balance\n"
        "    questions: [как проверить баланс?]\n"
        "    answer: '*100#'\n",
        encoding="utf-8",
    )
    run = modbot("kb", "lint", str(kb))
    assert run.returncode == 1
    assert f"{kb}:5:5  entries[balance].tagz: unknown key 'tagz' (did you mean 'tags'?)" in run.stdout
    ok = modbot("kb", "lint")
    assert ok.returncode == 0 and "entries" in ok.stdout


def test_kb_lint_reports_duplicates(tmp_path: Path) -> None:
    kb = tmp_path / "kb.yaml"
    kb.write_text(
        "entries:\n"
        "  - {id: a, questions: [Как проверить баланс?], answer: x}\n"
        "  - {id: b, questions: [как  проверить баланс?], answer: y}\n"
        "  - {id: a, questions: [Как пополнить?], answer: z}\n",
        encoding="utf-8",
    )
    run = modbot("kb", "lint", str(kb))
    assert run.returncode == 1
    assert "duplicate entry id 'a'" in run.stdout and "already under 'a'" in run.stdout
