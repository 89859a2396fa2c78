"""`modbot run` refusing bad settings with one line, and `modbot demo` playing its scene end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

MODBOT = str(Path(sys.executable).parent / "modbot")
BASE_ENV = {
    k: v for k, v in os.environ.items() if not k.upper().startswith(("TELEGRAM_", "STAFF_", "WEBHOOK_"))
}


def modbot(tmp_path: Path, *args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MODBOT, *args],
        cwd=tmp_path,
        env={**BASE_ENV, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "123:secretpart"}, "STAFF_CHAT_ID"),
        ({"TELEGRAM_BOT_TOKEN": "123:secretpart", "STAFF_CHAT_ID": "staff"}, "STAFF_CHAT_ID"),
        (
            {
                "TELEGRAM_BOT_TOKEN": "123:secretpart",
                "STAFF_CHAT_ID": "-100",
                "WEBHOOK_URL": "https://x.example/t",
            },
            "WEBHOOK_SECRET",
        ),
        (
            {"TELEGRAM_BOT_TOKEN": "123:secretpart", "STAFF_CHAT_ID": "-100", "TELEGRAM_API_BASE": "ftp:/x"},
            "TELEGRAM_API_BASE",
        ),
    ],
)
def test_run_names_the_bad_setting_in_one_line_and_exits_2(
    tmp_path: Path, env: dict[str, str], names: str
) -> None:
    result = modbot(tmp_path, "run", **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and names in lines[0], result.stderr
    assert "secretpart" not in result.stderr + result.stdout


def test_demo_plays_the_scene_against_the_emulator(tmp_path: Path) -> None:
    result = modbot(tmp_path, "demo", timeout=180)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "127.0.0.1" in out
    assert "*100#" in out  # the balance question, answered from the knowledge base
    assert "✂ сообщение 3 удалено ботом" in out  # the swearing
    assert "6лять" in out and "[↩️ Undo]" in out  # the card quotes it and has its buttons
    assert "удалены сообщения [" in out  # the flood, removed as a whole
    assert "Гоша заблокирован до" in out and "Олег заблокирован навсегда" in out
    assert "undone by @maria_mod" in out and "Total:" in out
    complaint = out.split("Анна (член сообщества): ")[1].split("──")[0]
    assert "удален" not in complaint and "Ticket #2" in complaint  # the angry clean complaint: a ticket
    assert "Not sent to the member of #2: insult" in out  # the tone guard
    assert "@anna_k, ответ поддержки: Анна, авария" in out  # the moderator's reply, relayed
    assert "✗" not in out and "Traceback" not in result.stderr
