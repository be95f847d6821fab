"""Every example in rules/*.yaml runs as a test, with only its rule enabled.

Bad examples must produce exactly the findings their `# expect: CODE@COLUMN` markers name
(code, file, line and column); good examples must produce none.
"""

from __future__ import annotations

import pytest

from rclint.catalog import load_catalog

from helpers import expectations, found, lint, write_files

CASES = [
    pytest.param(rule, ex, id=f"{rule.id}-{i}-{ex.kind}")
    for rule in load_catalog().values()
    for i, ex in enumerate(rule.examples)
]


@pytest.mark.parametrize("rule,example", CASES)
def test_rule_example(tmp_path, rule, example):
    write_files(tmp_path, example.files)
    expected = expectations(example.files)
    if example.kind == "bad":
        assert expected, f"{rule.id} bad example {example.name!r} has no # expect: marker"
    else:
        assert example.kind == "good", example.kind
        assert not expected, f"good example {example.name!r} carries expect markers"
    result = lint(tmp_path, select=[rule.id], config=example.config, paths=list(example.args) or ["."])
    assert found(result) == expected
    assert all(f.code == rule.id for f in result.findings)


def test_every_rule_has_bad_and_good_examples():
    for rule in load_catalog().values():
        kinds = {ex.kind for ex in rule.examples}
        assert kinds == {"bad", "good"}, f"{rule.id} needs at least one bad and one good example"


MAX_MESSAGE = 120
MAX_POOLS = 3

@pytest.mark.parametrize("rule,example", [c for c in CASES if c.values[1].kind == "bad"])
def test_example_findings_have_short_messages_and_no_long_pool_lists(tmp_path, rule, example):
    """A finding's message is one line of at most 120 characters; help and notes carry the rest,
    and no finding (message, help, notes, related locations) lists more than 3 node pools."""
    import re

    write_files(tmp_path, example.files)
    result = lint(tmp_path, select=[rule.id], config=example.config, paths=list(example.args) or ["."])
    assert result.findings
    for f in result.findings:
        assert len(f.message) <= MAX_MESSAGE, f"{f.code} message is {len(f.message)} characters: {f.message}"
        assert "\n" not in f.message
        texts = [f.message, f.help, *f.notes]
        for text in texts:
            pools = re.findall(r"\b(?:pool|node) [^,;()]+", text)
            assert len(pools) <= MAX_POOLS, f"{f.code} lists {len(pools)} pools: {text}"
        assert len(f.related) <= 5
        pool_related = [r for r in f.related if re.match(r"(pool|node) ", r.message)]
        assert len(pool_related) <= MAX_POOLS, f"{f.code} has {len(pool_related)} pool locations"



def test_rule_files_say_what_each_part_of_a_finding_contains():
    for rule in load_catalog().values():
        parts = dict(rule.parts)
        assert set(parts) == {"message", "help", "notes"}, f"{rule.id}: finding: needs message, help and notes"
        assert all(text.strip() for text in parts.values()), rule.id
