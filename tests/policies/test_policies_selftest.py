import shutil
from pathlib import Path

from policies.compile import DEFAULT_POLICY, load_policy
from policies.selftest import run_policy_tests


def test_the_bundled_policy_passes_its_own_tests(policy) -> None:
    runs, failures = run_policy_tests(policy)
    assert runs > 40 and failures == []


def test_a_failing_case_names_rule_text_and_line(tmp_path: Path) -> None:
    shutil.copytree(DEFAULT_POLICY.parent, tmp_path / "p")
    file = tmp_path / "p" / "policy.yaml"
    file.write_text(file.read_text().replace('- "Бляха на ремне потерялась"', '- "Бляха, заебали"', 1))
    _, failures = run_policy_tests(load_policy(file))
    assert len(failures) == 1
    text = str(failures[0])
    assert "rules[profanity].tests.no_match[0]" in text and "заебали" in text and "policy.yaml:" in text
