"""Lint errors name the file, line and column, and a did-you-mean where one fits."""

import shutil
from pathlib import Path

import pytest

from policies.compile import DEFAULT_POLICY, load_policy
from policies.yamlsource import PolicyError


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    shutil.copytree(DEFAULT_POLICY.parent, tmp_path / "p")
    return tmp_path / "p"


def problems(path: Path) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    return [str(p) for p in caught.value.problems]


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "needle", "expected"),
    [
        (
            "then: [remove_and_explain, {strike: 1}]",
            "then: [remove_and_explian, {strike: 1}]",
            "remove_and_explian",
            "unknown bundle 'remove_and_explian' (did you mean 'remove_and_explain'?)",
        ),
        ("  expire_after: 180d", "  expire_after: 180days", "expire_after", "bad duration '180days'"),
        (
            "  collapse_within: 60s",
            "  colapse_within: 60s",
            "colapse_within",
            "unknown key 'colapse_within' (did you mean 'collapse_within'?)",
        ),
        ("{file: lexicons/mat_uk.txt", "{file: lexicons/nope.txt", "nope.txt", "lexicons/nope.txt not found"),
        (
            "use: [mat_ru, mat_uk",
            "use: [mat_rus, mat_uk",
            "mat_rus",
            "unknown lexicon 'mat_rus' (did you mean 'mat_ru'?)",
        ),
        ("      flood: {messages", "      floood: {messages", "floood", "unknown detector 'floood'"),
        (
            "    - {at: 3, do: {ban: 30d}}",
            "    - {at: 2, do: {ban: 30d}}",
            "at: 2, do: {ban: 30d}",
            "unreachable",
        ),
        (
            "reply: tpl.rule_violation",
            "reply: tpl.rule_violaton",
            "rule_violaton",
            "unknown template 'tpl.rule_violaton' (did you mean 'rule_violation'?)",
        ),
    ],
)
def test_errors_point_at_the_line(policy_dir: Path, old: str, new: str, needle: str, expected: str) -> None:
    file = policy_dir / "policy.yaml"
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new, 1))
    found = problems(file)
    assert any(expected in p for p in found), found
    hit = next(p for p in found if expected in p)
    assert f"policy.yaml:{line_of(file, needle)}:" in hit


def test_a_regex_that_re2_rejects(policy_dir: Path) -> None:
    file = policy_dir / "policy.yaml"
    text = file.read_text().replace(
        "detect:\n      flood:", "detect:\n      regex: ['(?<=x)y']\n      xflood:", 1
    )
    text = text.replace("      xflood: {messages: 5, per: 10s, repeats: 3, repeat_within: 60s}\n", "")
    file.write_text(text)
    assert any("RE2 rejects" in p for p in problems(file))


def test_yaml_syntax_errors_have_a_position(policy_dir: Path) -> None:
    file = policy_dir / "policy.yaml"
    file.write_text(file.read_text().replace("ladder:\n", "ladder:\n  - [\n", 1))
    assert problems(file)[0].startswith(str(file) if file.is_absolute() else "policy.yaml")


def test_schema_mistakes_do_not_hide_reference_mistakes(policy_dir: Path) -> None:
    file = policy_dir / "policy.yaml"
    text = file.read_text()
    for old, new in [
        ("{file: lexicons/mat_en.txt, mode: stem", "{file: lexicons/mat_en.txt, mode: stemm"),
        ("    severity: 3\n", "    severity: 30\n"),  # the same rule names an unknown bundle
        ("allow]}\n    then: [remove_and_explain", "allow]}\n    then: [remove_and_explian"),
        ("        threshold: 1.0\n", "        threshold: high\n"),  # past saving: the ads rule is left out
        ("        - lexicon: insults\n", "        - lexicon: insultz\n"),
        ("{at: 2, do: {ban: 7d}}", "{at: 2, do: {ban: 7days}}"),
        ("{at: 3, do: {ban: 30d}}", "{at: 1, do: {ban: 30d}}"),  # the step after the broken one
    ]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    file.write_text(text)
    found = problems(file)
    for expected, needle in [
        ("mode: Input should be 'stem' or 'word'", "stemm"),
        ("severity: Input should be less than or equal to 10", "severity: 30"),
        ("unknown bundle 'remove_and_explian'", "remove_and_explian"),
        ("threshold: Input should be a valid number", "threshold: high"),
        ("unknown lexicon 'insultz'", "insultz"),
        ("bad duration '7days'", "7days"),
        ("step at 1 is unreachable", "{at: 1, do: {ban: 30d}}"),
    ]:
        hit = next((p for p in found if expected in p), None)
        assert hit is not None, (expected, found)
        assert f"policy.yaml:{line_of(file, needle)}:" in hit
    assert not any("unknown lexicon 'mat_en'" in p for p in found), found  # its entry still counts
    lines = [int(p.split(":")[1]) for p in found]
    assert lines == sorted(lines)


def test_a_template_the_bot_sends_cannot_go_missing(policy_dir: Path) -> None:
    templates = policy_dir / "templates.yaml"
    templates.write_text(templates.read_text().replace("  ticket_ack:", "  ticket_akc:", 1))
    (found,) = problems(policy_dir / "policy.yaml")
    assert f"templates.yaml:{line_of(templates, 'templates:')}:" in found
    assert "missing templates the bot sends: ticket_ack" in found


def test_a_member_without_a_name_is_addressed_in_the_message_language() -> None:
    templates = load_policy(DEFAULT_POLICY).templates
    assert templates.render("ticket_reply", "uk", member="", reply="так").startswith("Учасник, ")
    assert templates.render("ticket_reply", "en", member="", reply="yes").startswith("Member, ")
    assert templates.render("ticket_reply", "en", member="@olga", reply="yes").startswith("@olga, ")
