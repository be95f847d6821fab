"""The fast paths change how much work is done, never what is reported.

- The real corpus and a generated heavy tree give byte-identical JSON with the fast paths
  off and on.
- Placement work is counted, not timed: with many node pools the number of pool
  evaluations is bounded by the distinct (RuntimeClass, nodeSelector, tolerations)
  combinations of the pods, not by pods x pools.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rclint import perf
from rclint.checks import placement
from rclint.cli import main

from helpers import lint

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _heavy():
    spec = importlib.util.spec_from_file_location("rclint_bench_heavy", BENCH / "heavy.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def fast_switch(monkeypatch):
    def set_fast(on: bool):
        monkeypatch.setattr(perf, "FAST", on)
    yield set_fast


def report(root: Path, monkeypatch, *extra: str) -> str:
    monkeypatch.chdir(root)
    r = CliRunner().invoke(main, ["check", ".", "--format", "json", "--exit-zero", "--no-color", *extra],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    return r.stdout


def _same_both_ways(root: Path, monkeypatch, fast_switch) -> dict:
    fast_switch(False)
    slow = report(root, monkeypatch)
    fast_switch(True)
    fast = report(root, monkeypatch)
    assert fast == slow
    return json.loads(fast)


def test_identical_output_on_the_real_corpus(shared, monkeypatch, fast_switch):
    out = _same_both_ways(shared / "corpus" / "real", monkeypatch, fast_switch)
    assert out["summary"]["findings"] > 100


EDGE_CASES = {
    # anchors and merge keys, a duplicate key, a tagged key, a complex key: the full converter
    "edge/anchors.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: anchored\n  labels: &l {app: x}\nspec:\n"
        "  runtimeClassName: kata-qmeu\n  nodeSelector: *l\n  containers:\n    - &c {name: a, image: x}\n"
        "    - <<: *c\n      name: b\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: dup\n  name: dup2\nspec:\n"
        "  runtimeClassName: gvisor\n  hostNetwork: true\n  containers: [{name: a, image: x}]\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: tagged, !!str labels: {a: b}}\nspec:\n"
        "  runtimeClassName: \"kata\"\n  overhead: {cpu: 1}\n  ? [complex]\n  : key\n"
        "  containers: [{name: a, image: x}]\n"
    ),
    # a template-like flow mapping, a syntax error, CRLF line ends, a JSON document
    "edge/template.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {{name: x}}\nspec:\n  runtimeClassName: kata\n",
    "edge/broken.yaml": "apiVersion: v1\nkind: Pod\nspec:\n  runtimeClassName: [kata\n",
    "edge/crlf.yaml": "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: crlf\r\nspec:\r\n"
                      "  runtimeClassName: kata-qmeu\r\n  hostUsers: false\r\n",
    "edge/pod.json": '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"},\n'
                     ' "spec": {"runtimeClassName": "kata-qmeu", "overhead": {"cpu": "1"}}}\n',
}


def test_identical_output_on_a_heavy_tree(tmp_path, monkeypatch, fast_switch):
    _heavy().generate(tmp_path, pods=400, nodes=24, pools=12)
    for name, text in EDGE_CASES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(text.encode())
    out = _same_both_ways(tmp_path, monkeypatch, fast_switch)
    codes = {f["code"] for f in out["findings"]}
    # the tree exercises the placement rules whose work is memoised
    assert {"RCL001", "RCL005", "RCL101", "RCL107", "RCL112", "RCL401"} <= codes
    assert any(f["path"].startswith("edge/anchors") for f in out["findings"])
    assert out["summary"]["findings"] > 50


def test_heavy_generator_is_deterministic(tmp_path):
    heavy = _heavy()
    heavy.generate(tmp_path / "a", pods=60, nodes=5, pools=3)
    heavy.generate(tmp_path / "b", pods=60, nodes=5, pools=3)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b and len(files_a) == 2 + 3 + 3  # RCs and nodes, 3 configs, 3 workload files
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()


def _count_pool_evaluations(monkeypatch):
    """Count every (pool, placement) judgement the placement checks make."""
    counts = {"n": 0}

    def counting(fn):
        def wrapper(*args, **kw):
            counts["n"] += 1
            return fn(*args, **kw)
        return wrapper

    for name in ("_selector_matches", "blocking_taints", "node_selector_matches"):
        monkeypatch.setattr(placement, name, counting(getattr(placement, name)))
    return counts


def test_placement_work_is_bounded_by_distinct_placements(tmp_path, monkeypatch, fast_switch):
    _heavy().generate(tmp_path, pods=600, nodes=500, pools=0)  # 500 labelled, tainted Node pools
    counts = _count_pool_evaluations(monkeypatch)
    fast_switch(True)
    result = lint(tmp_path)
    assert result.findings
    pools = len(result.inventory.pools)
    assert pools == 500
    pods = 0
    distinct = set()
    for ref in result.inventory.pod_specs:
        name = ref.spec.get("runtimeClassName")
        if result.inventory.runtime_class(name) is None:
            continue
        pods += 1
        distinct.add((name, repr(ref.spec.get("nodeSelector")), repr(ref.spec.get("tolerations")),
                      repr(ref.spec.get("os"))))
    classes = len(result.inventory.runtime_classes)
    work = counts["n"]
    # every RuntimeClass (RCL103-RCL105) and every distinct placement (RCL105, RCL110, RCL112,
    # RCL402) looks at each pool a bounded number of times
    assert work <= 2 * (classes + len(distinct)) * pools
    assert len(distinct) * 4 < pods  # which is far below pods x pools
    # with the fast paths off, the same run judges pods x pools
    counts["n"] = 0
    fast_switch(False)
    lint(tmp_path)
    assert counts["n"] > pods * pools / 2
    assert counts["n"] > 3 * work
