"""Fixes on re-formatted rule examples: comments on lines of their own and at line ends, blank
lines, quoted keys, 4-space indentation and CRLF must not stop a fix, and the fixed text must
still parse, with nothing fixable left. The variations are drawn from a fixed seed."""

from __future__ import annotations

import random
import re

import pytest

from rclint.catalog import load_catalog
from rclint.fixes import fix_loop
from rclint.tomlsource import TomlSyntaxError, load_toml
from rclint.yamlsource import YamlLimitError, YamlSyntaxError, parse_chunk, split_documents

from helpers import lint, write_files

EXPECT = re.compile(r"[ \t]*# expect:.*")
EXAMPLES = [(rule, ex) for rule in load_catalog().values() if rule.fix != "none"
            for ex in rule.examples if ex.kind == "bad" and ex.fixed]


def is_toml(name: str) -> bool:
    return name.endswith((".toml", ".conf")) or "crio" in name


def parses(name: str, text: str) -> bool:
    try:
        if is_toml(name):
            load_toml(text)
        else:
            for chunk in split_documents(text):
                list(parse_chunk(chunk, name))
    except (TomlSyntaxError, YamlSyntaxError, YamlLimitError):
        return False
    return True


def reformat(rng: random.Random, name: str, text: str) -> str:
    if not is_toml(name) and "- " not in text and rng.random() < 0.3:
        text = "\n".join(" " * (2 * (len(l) - len(l.lstrip(" ")))) + l.lstrip(" ") for l in text.split("\n"))
    if not is_toml(name) and rng.random() < 0.3:
        text = re.sub(r"(?m)^(\s*)([A-Za-z][\w.-]*):(?=\s)",
                      lambda m: m.group(1) + (f'"{m.group(2)}":' if rng.random() < 0.3 else f"{m.group(2)}:"), text)
    out = []
    for i, line in enumerate(text.split("\n")):
        r = rng.random()
        if r < 0.15 and line.strip():
            out.append(" " * (len(line) - len(line.lstrip())) + f"# note {i}")
        elif r < 0.25:
            out.append("")
        if line.strip() and rng.random() < 0.3 and not line.rstrip().endswith(("|", ">", "|-", ">-")):
            line += f"  # c{i}"
        out.append(line)
    text = "\n".join(out)
    return text.replace("\n", "\r\n") if rng.random() < 0.3 else text


def fixable(root, rule, ex):
    return [f for f in lint(root, select=[rule.id], config=ex.config, paths=list(ex.args) or ["."]).findings
            if f.fix is not None]


@pytest.mark.parametrize("seed", range(4))
def test_fixes_survive_reformatting(tmp_path, seed):
    rng = random.Random(seed)
    tried = 0
    for n in range(40):
        rule, ex = rng.choice(EXAMPLES)
        plain = {name: EXPECT.sub("", text) for name, text in ex.files.items()}
        files = {name: reformat(rng, name, text) for name, text in plain.items()}
        if not all(parses(name, text) for name, text in files.items()):
            continue
        tried += 1
        base, root = tmp_path / f"{n}-plain", tmp_path / f"{n}"
        write_files(base, plain)
        write_files(root, files)
        wanted = len(fixable(base, rule, ex))
        assert len(fixable(root, rule, ex)) == wanted, (rule.id, ex.name, files)
        out = fix_loop(lambda: lint(root, select=[rule.id], config=ex.config, paths=list(ex.args) or ["."]), True)
        assert out.fixed >= wanted > 0
        for name, (_real, _old, new) in out.changed.items():
            assert parses(name, new.decode("utf-8")), (rule.id, ex.name, new.decode("utf-8"))
        assert [f for f in out.result.findings if f.fix is not None] == []
    assert tried >= 20
