"""`--fix --unsafe-fixes` over every file of the real corpus (in a temporary copy).

The test splices each pass's reported edits into the bytes itself (its own line/column to byte
arithmetic), so the files the command writes must equal: the original bytes everywhere outside
the edited spans. kubectl must read each fixed manifest to the same objects apart from the fixed
fields, and tomllib each fixed runtime config to the same tables apart from the renamed key.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rclint.engine import run
from rclint.settings import load_settings

KUBECTL = "/usr/bin/kubectl" if os.path.exists("/usr/bin/kubectl") else (shutil.which("kubectl") or "/usr/bin/kubectl")
CONFIG_NAMES = re.compile(r"\.(ya?ml|json|toml|conf)$|(^|/)crio\.conf\.d/")


def corpus_files(root: Path):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() and CONFIG_NAMES.search(p.relative_to(root).as_posix()))


def byte_offset(data: bytes, line: int, column: int) -> int:
    """1-based line and code-point column -> byte offset in UTF-8 `data` (no BOM in the corpus)."""
    lines = data.split(b"\n")
    start = sum(len(x) + 1 for x in lines[:line - 1])
    return start + len(lines[line - 1].decode("utf-8")[:column - 1].encode("utf-8"))


def splice_pass(root: Path):
    """One pass done by hand: lint, splice every non-overlapping fix's edits; the fixes applied."""
    result = run(load_settings(["."], isolated=True))
    applied = []
    by_file = {}
    for f in result.findings:
        if f.fix is not None:
            by_file.setdefault(f.fix.edits[0].path, []).append(f)
    for path, findings in sorted(by_file.items()):
        data = (root / path).read_bytes()
        taken, edits = [], []
        for f in findings:
            ranges = [(byte_offset(data, e.span.line, e.span.column),
                       byte_offset(data, e.span.end_line, e.span.end_column), e.replacement) for e in f.fix.edits]
            if any(a < tb and ta < b or a == b == ta for a, b, _ in ranges for ta, tb in taken):
                continue
            taken.extend((a, b) for a, b, _ in ranges)
            edits.extend(ranges)
            applied.append(f)
        out, last = [], 0
        for a, b, repl in sorted(edits):
            out += [data[last:a], repl.encode("utf-8")]
            last = b
        (root / path).write_bytes(b"".join(out) + data[last:])
    return applied


def kubectl_objects(path: Path):
    proc = subprocess.run([KUBECTL, "patch", "--local", "-f", str(path), "--type", "merge", "-p", "{}", "-o", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    dec, text, i, objs = json.JSONDecoder(), proc.stdout, 0, []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return objs
        obj, i = dec.raw_decode(text, i)
        objs.append(obj)


def field_path(field: str):
    return [int(p) if p.isdigit() else p.strip("'\"") for p in re.findall(r"\[([^\]]+)\]|([^.\[\]]+)", field)
            for p in p if p]


def drop(obj, path):
    for part in path[:-1]:
        obj = obj.get(part) if isinstance(obj, dict) else (obj[part] if isinstance(obj, list) and
                                                              isinstance(part, int) and part < len(obj) else None)
        if obj is None:
            return
    if isinstance(obj, dict):
        obj.pop(path[-1], None)


def normalise(obj, findings):
    """`obj` without the fields the applied fixes changed (the v1alpha1 layout moved to v1's)."""
    obj = json.loads(json.dumps(obj))
    if obj.get("apiVersion") == "node.k8s.io/v1alpha1" and any(f.code == "RCL206" for f in findings):
        spec = obj.pop("spec", {}) or {}
        obj.update({("handler" if k == "runtimeHandler" else k): v for k, v in spec.items()})
    for f in findings:
        if f.code == "RCL206":
            drop(obj, ["apiVersion"])
        elif f.code in ("RCL101", "RCL107", "RCL208"):
            drop(obj, field_path(f.field))
        elif f.code == "RCL403":
            drop(obj, ["overhead"])
        elif f.code in ("RCL204", "RCL207"):
            drop(obj, ["scheduling", "nodeSelector"])
        elif f.code == "RCL205":
            drop(obj, ["scheduling", "tolerations"])
        elif f.code == "RCL006":
            drop(obj, ["metadata", "annotations"])
            drop(obj, ["spec", "template", "metadata", "annotations"])
    return obj


def flatten(value, prefix=()):
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            out.update(flatten(v, prefix + (k,)))
        return out
    return {prefix: value}


def test_fix_over_the_real_corpus(tmp_path, shared, monkeypatch):
    if not os.path.exists(KUBECTL):
        pytest.skip(f"kubectl not found at {KUBECTL} (.ci/run installs kubernetes-client)")
    original = shared / "corpus" / "real"
    by_hand, by_cli = tmp_path / "by-hand", tmp_path / "by-cli"
    shutil.copytree(original, by_hand, symlinks=True)
    shutil.copytree(original, by_cli, symlinks=True)
    files = corpus_files(original)
    assert len(files) > 60

    monkeypatch.chdir(by_hand)
    applied = []
    for _ in range(10):
        step = splice_pass(by_hand)
        if not step:
            break
        applied += step
    codes = {f.code for f in applied}
    assert {"RCL206", "RCL307", "RCL403"} <= codes, codes

    monkeypatch.chdir(by_cli)
    proc = subprocess.run([sys.executable, "-m", "rclint", "check", "--isolated", "--fix", "--unsafe-fixes", "."],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    changed = {f.fix.edits[0].path for f in applied}
    assert f"rclint: fixed {len(applied)} problems in {len(changed)} files" in proc.stderr
    for name in files:
        cli, hand, before = (by_cli / name).read_bytes(), (by_hand / name).read_bytes(), (original / name).read_bytes()
        assert cli == hand, f"{name}: --fix wrote something other than the reported edits"
        assert (cli != before) == (name in changed), name
    assert sorted(p.relative_to(by_cli).as_posix() for p in by_cli.rglob("*") if p.is_file()) == \
        sorted(p.relative_to(original).as_posix() for p in original.rglob("*") if p.is_file())

    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    for name in sorted(changed):
        findings = [f for f in applied if f.fix.edits[0].path == name]
        if name.endswith((".yaml", ".yml", ".json")):
            before, after = kubectl_objects(original / name), kubectl_objects(by_cli / name)
            assert len(before) == len(after)
            for b, a in zip(before, after):
                mine = [f for f in findings if f.object is None or (f.object.kind == b.get("kind")
                        and f.object.name == (b.get("metadata") or {}).get("name"))]
                assert normalise(b, mine) == normalise(a, mine), name
                if mine:
                    assert b != a
        else:
            before = flatten(tomllib.loads((original / name).read_text(encoding="utf-8")))
            after = flatten(tomllib.loads((by_cli / name).read_text(encoding="utf-8")))
            gone, new = set(before) - set(after), set(after) - set(before)
            assert len(gone) == len(new) == len(findings) and all(f.code == "RCL307" for f in findings), name
            for old in gone:
                (moved,) = [p for p in new if p[:-1] == old[:-1] and before[old] == after[p]]
            assert {p: v for p, v in before.items() if p not in gone} == {p: v for p, v in after.items() if p not in new}


def test_kubectl_reads_each_fixed_example_as_the_same_objects(tmp_path):
    if not os.path.exists(KUBECTL):
        pytest.skip(f"kubectl not found at {KUBECTL} (.ci/run installs kubernetes-client)")
    from rclint.catalog import load_catalog

    sys.path.insert(0, str(Path(__file__).parent))
    from helpers import lint, write_files

    checked = 0
    for rule in load_catalog().values():
        for i, ex in enumerate(rule.examples):
            names = [n for n in (ex.fixed or {}) if n.endswith((".yaml", ".yml", ".json"))]
            if not names:
                continue
            root = tmp_path / f"{rule.id}-{i}"
            files = {n: re.sub(r"[ \t]*# expect:.*", "", t) for n, t in ex.files.items()}
            write_files(root, files)
            findings = [f for f in lint(root, select=[rule.id], config=ex.config,
                                        paths=list(ex.args) or ["."]).findings if f.fix is not None]
            write_files(root / "fixed", {n: ex.fixed[n] for n in names})
            for name in names:
                before, after = kubectl_objects(root / name), kubectl_objects(root / "fixed" / name)
                assert len(before) == len(after), (rule.id, name)
                for b, a in zip(before, after):
                    mine = [f for f in findings if f.path == name and (f.object is None or  # a comment: any object
                            f.object.name == (b.get("metadata") or {}).get("name"))]
                    assert normalise(b, mine) == normalise(a, mine), (rule.id, name)
                checked += 1
    assert checked >= 15
