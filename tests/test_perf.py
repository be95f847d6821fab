"""The fast paths change how much work is done, never what is reported.

- The real corpus and a generated heavy tree give byte-identical JSON with the fast paths
  off and on.
- Placement work is counted, not timed: with many node pools the number of pool
  evaluations is bounded by the distinct (RuntimeClass, nodeSelector, tolerations)
  combinations of the pods, not by pods x pools.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rclint import perf
from rclint.checks import placement
from rclint.cli import main

from helpers import heavy, lint





@pytest.fixture
def fast_switch(monkeypatch):
    def set_fast(on: bool):
        monkeypatch.setattr(perf, "FAST", on)
    yield set_fast


def report(root: Path, monkeypatch, *extra: str) -> str:
    monkeypatch.chdir(root)
    r = CliRunner().invoke(main, ["check", ".", "--format", "json", "--exit-zero", "--no-color", "--no-cache", *extra],
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
    # pod specs whose other fields are projected away: a fix that removes a pod spec's only
    # rule-read field, unused and used suppressions, read-only mounts beside dropped fields
    "edge/projected.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: empty}\nspec:\n  runtimeClassName: \"\"\n"
        "  restartPolicy: Never\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: manual}\nspec:\n  restartPolicy: Never\n"
        "  overhead: {cpu: 250m}\n  runtimeClassName: kata-fc\n"
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  annotations:\n"
        "    rclint.io/ignore: RCL404\n    rclint.io/ignore-reason: test\nspec:\n  replicas: 2\n"
        "  template:\n    metadata:\n      annotations: {rclint.io/ignore: \"RCL101, RCL402\"}\n    spec:\n"
        "      serviceAccountName: app\n      runtimeClassName: kata\n      hostUsers: false\n"
        "      containers:\n        - name: a\n          env: [{name: X, value: \"1\"}]\n"
        "          securityContext: {privileged: true}\n"
        "          volumeMounts:\n            - {name: v, mountPath: /v, recursiveReadOnly: Enabled}\n"
        "            - name: w\n              mountPath: /w\n              recursiveReadOnly: Enabled\n"
        "      volumes: [{name: v, emptyDir: {}}]\n"
    ),
}


# what a projection leaves out must still decide between the fast path and the full converter
_POD = "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  runtimeClassName: kata\n  containers:\n{c}"
for _name, _container in {
    "inf": "    - {name: a, env: [{name: X, value: .inf}]}\n",
    "nan-key": "    - {name: a, resources: {limits: {.nan: 1}}}\n",
    "number-key": "    - {name: a, resources: {limits: {1: 2}}}\n",
    "duplicate": "    - name: a\n      env:\n        - {name: X, name: Y}\n",
    "tag": "    - {name: a, image: !custom x}\n",
    "merge": "    - name: a\n      resources: {<<: {cpu: 1}}\n",
    "template": "    - name: a\n      args: [{{x: y}}]\n",
    "null-key": "    - name: a\n      ports: [{~: 1}]\n",
    "complex-key": "    - name: a\n      ports: [{[a]: 1}]\n",
    "deep": "    - name: a\n      env: " + "[" * 40 + "]" * 40 + "\n",
}.items():
    EDGE_CASES[f"edge/dropped-{_name}.yaml"] = _POD.format(name=_name, c=_container)


def test_identical_output_on_a_heavy_tree(tmp_path, monkeypatch, fast_switch):
    heavy().generate(tmp_path, pods=400, nodes=24, pools=12)
    for name, text in EDGE_CASES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(text.encode())
    out = _same_both_ways(tmp_path, monkeypatch, fast_switch)
    codes = {f["code"] for f in out["findings"]}
    # the tree exercises the placement rules whose work is memoised
    assert {"RCL001", "RCL005", "RCL101", "RCL107", "RCL112", "RCL401"} <= codes
    assert any(f["path"].startswith("edge/anchors") for f in out["findings"])
    assert out["summary"]["findings"] > 50


def test_identical_fixes_on_a_heavy_tree(tmp_path, monkeypatch, fast_switch):
    """Fixes read positions of projected, lazily positioned documents: the same edits."""
    heavy().generate(tmp_path, pods=200, nodes=12, pools=6)
    for name, text in EDGE_CASES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(text.encode())
    fast_switch(False)
    slow = report(tmp_path, monkeypatch, "--diff", "--unsafe-fixes")
    fast_switch(True)
    fast = report(tmp_path, monkeypatch, "--diff", "--unsafe-fixes")
    assert fast == slow
    assert "+++ b/edge/projected.yaml" in fast and "-  runtimeClassName: \"\"" in fast


def test_documents_no_finding_points_into_keep_no_text_and_get_no_positions(tmp_path, monkeypatch):
    from rclint import stream
    from rclint.suppress import ANNOTATION

    monkeypatch.setattr(stream, "may_hold_context", lambda data: True)  # every document in the first pass
    heavy().generate(tmp_path, pods=300, nodes=12, pools=6)
    result = lint(tmp_path, cache_dir=None)
    docs = [d for f in result.inventory.files for d in f.documents]
    lazy = [d for d in docs if d.source is not None]
    assert len(lazy) > 250
    assert all(d.source.chunk is None for d in lazy)  # no document keeps its text
    places = {(f.path, f.span.line) for f in result.findings}
    places |= {(r.path, r.span.line) for f in result.findings for r in f.related}

    def pointed(d):
        return any(p == d.path and d.source.line < line <= d.source.last_line for p, line in places)

    def located_anyway(d):  # suppressions and node pools are located whether or not a finding needs them
        return ANNOTATION in repr(d.value) or d.value.get("kind") == "Node"

    positioned = [d for d in lazy if d.source.spans is not None]
    assert positioned and all(pointed(d) or located_anyway(d) for d in positioned)
    assert len(positioned) < len(lazy) / 2
    # pod specs keep only what rules read
    pods = [ref.spec for ref in result.inventory.pod_specs]
    assert all(c.get("image") is None and c.get("env") is None for spec in pods for c in spec.get("containers", []))


def test_a_file_changed_since_it_was_read_costs_exact_positions_not_the_run():
    from rclint.model import Span
    from rclint.yamlsource import Chunk, clear_readers, parse_chunk, register_reader

    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
    try:
        for reader, kind_span in (
            (lambda: "# x\n" + text, Span(3, 1, 3, 5)),  # the same chunk at the same offset
            (lambda: "# x\n" + text.replace("Pod", "Job"), Span(2, 1, 2, 1)),  # changed: the chunk's start
            (lambda: 1 / 0, Span(2, 1, 2, 1)),  # unreadable
        ):
            doc = next(parse_chunk(Chunk(text, 1, 4), "f.yaml"))
            doc.source.detach("f.yaml")
            register_reader("f.yaml", reader)
            assert doc.key_span(("kind",)) == kind_span
    finally:
        clear_readers()


def test_heavy_generator_is_deterministic(tmp_path):
    generator = heavy()
    generator.generate(tmp_path / "a", pods=60, nodes=5, pools=3)
    generator.generate(tmp_path / "b", pods=60, nodes=5, pools=3)
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
    from rclint import stream

    heavy().generate(tmp_path, pods=600, nodes=500, pools=0)  # 500 labelled, tainted Node pools
    counts = _count_pool_evaluations(monkeypatch)
    fast_switch(True)
    result = lint(tmp_path, jobs=1)  # one process: the counter sees all the work
    assert result.findings
    work = counts["n"]
    pools = len(result.inventory.pools)
    assert pools == 500
    with monkeypatch.context() as m:  # the pod specs, kept by the first pass, to count placements
        m.setattr(stream, "may_hold_context", lambda data: True)
        result = lint(tmp_path, jobs=1)
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
    # every RuntimeClass (RCL103-RCL105) and every distinct placement (RCL105, RCL110, RCL112,
    # RCL402) looks at each pool a bounded number of times
    assert work <= 2 * (classes + len(distinct)) * pools
    assert len(distinct) * 4 < pods  # which is far below pods x pools
    # with the fast paths off, the same run judges pods x pools
    counts["n"] = 0
    fast_switch(False)
    lint(tmp_path, jobs=1)
    assert counts["n"] > pods * pools / 2
    assert counts["n"] > 3 * work


# --------------------------------------------------------------------------- start-up shortcuts


def test_rule_index_is_in_sync_with_the_rule_files():
    """rclint/_rule_index.py and rclint/_rule_data.py are generated; regenerate them with
    `python -m rclint.catalog --write-index`."""
    from rclint import catalog

    here = Path(catalog.__file__).resolve().parent
    assert (here / "_rule_index.py").read_text(encoding="utf-8") == catalog.index_source()
    assert (here / "_rule_data.py").read_text(encoding="utf-8") == catalog.data_source()
    parsed = catalog.parse_catalog()
    assert catalog.rule_severities() == {code: rule.severity for code, rule in parsed.items()}
    assert catalog.rule_names() == {code: rule.name for code, rule in parsed.items()}
    assert catalog.names() == {rule.name: code for code, rule in parsed.items()}
    lazy = catalog.LazyCatalog()
    assert [catalog.rule_name(lazy, c) for c in parsed] == [catalog.rule_name(parsed, c) for c in parsed]
    assert catalog.rule_name(lazy, "RCL999") == catalog.rule_name(parsed, "RCL999") == ""


def test_the_generated_rule_data_gives_the_parsed_catalogue():
    """What reports and `rclint rule` show is the same whether the rule files were parsed or not."""
    from rclint import _rule_data, catalog

    parsed = catalog.parse_catalog()
    generated = catalog._from_data(_rule_data.RULES)
    assert list(generated) == list(parsed)
    for code, rule in parsed.items():
        assert generated[code] == rule
        assert repr(generated[code]) == repr(rule)  # same types all the way down (tuples stay tuples)
    catalog.load_catalog.cache_clear()
    try:
        assert catalog.load_catalog() == parsed
    finally:
        catalog.load_catalog.cache_clear()


def test_stale_rule_data_is_not_trusted(monkeypatch):
    from rclint import _rule_data, catalog

    catalog.load_catalog.cache_clear()
    monkeypatch.setattr(_rule_data, "DIGEST", "stale")
    monkeypatch.setattr(_rule_data, "RULES", ())
    try:
        assert catalog.load_catalog() == catalog.parse_catalog()
        assert len(catalog.load_catalog()) == len(catalog.rule_severities())
    finally:
        catalog.load_catalog.cache_clear()


def test_a_stale_rule_index_is_not_trusted(monkeypatch):
    from rclint import _rule_index, catalog

    catalog.rule_severities.cache_clear()
    catalog.rule_names.cache_clear()
    monkeypatch.setattr(_rule_index, "DIGEST", "stale")
    monkeypatch.setattr(_rule_index, "SEVERITIES", {"RCL001": "info"})
    monkeypatch.setattr(_rule_index, "NAMES", {"RCL001": "stale-name"})
    try:
        assert catalog.rule_severities()["RCL001"] == catalog.load_catalog()["RCL001"].severity
        assert len(catalog.rule_severities()) == len(catalog.load_catalog())
        assert catalog.rule_names()["RCL001"] == catalog.load_catalog()["RCL001"].name
        assert len(catalog.rule_names()) == len(catalog.load_catalog())
    finally:
        catalog.rule_severities.cache_clear()
        catalog.rule_names.cache_clear()


def _mutations(value, path=()):
    """The object with one node at a time replaced by a value of another type, or removed."""
    yield value
    replacements = [None, 1, 1.5, True, "x", [], {}, ["x"], {"x": 1}]
    if isinstance(value, dict):
        for key in list(value):
            for sub in _mutations(value[key]):
                yield {**value, key: sub}
            yield {k: v for k, v in value.items() if k != key}
        yield {**value, "unknownField": 1}
    elif isinstance(value, list):
        for i, item in enumerate(value):
            for sub in _mutations(item):
                yield value[:i] + [sub] + value[i + 1:]
    else:
        for r in replacements:
            if type(r) is not type(value):
                yield r


def test_quick_schema_check_never_passes_an_object_jsonschema_rejects():
    import test_runtimeclass_schemas as schemas
    from jsonschema import Draft202012Validator

    from rclint.kube.quickschema import surely_valid

    seeds = [schemas.KATA_V1, schemas._v1beta1(schemas.KATA_V1), schemas.KATA_V1ALPHA1]
    for mark in ("test_valid_objects", "test_v1_errors", "test_v1alpha1_errors"):
        for params in getattr(schemas, mark).pytestmark[0].args[1]:
            seeds.extend(p for p in params if isinstance(p, dict))
    passed = rejected = 0
    for version in schemas.VERSIONS:
        schema = schemas._schema(version)
        validator = Draft202012Validator(schema)
        for seed in seeds:
            for obj in _mutations(seed):
                if surely_valid(schema, obj):
                    assert list(validator.iter_errors(obj)) == [], (version, obj)
                    passed += 1
                else:
                    rejected += 1
    assert passed > 100 and rejected > 100
    # valid objects take the quick path
    assert surely_valid(schemas._schema("v1"), schemas.KATA_V1)
    assert surely_valid(schemas._schema("v1alpha1"), schemas.KATA_V1ALPHA1)


def _instance_of(schema, root=None):
    """A value with every property the schema names, each of its first declared type."""
    root = root or schema
    if "$ref" in schema:
        return _instance_of(root["$defs"][schema["$ref"].split("/")[-1]], root)
    kind = schema.get("type", "object")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "object":
        return {name: _instance_of(sub, root) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        items = schema.get("items")
        return [_instance_of(items, root)] if isinstance(items, dict) else []
    return {"string": "x", "boolean": True, "integer": 1, "number": 1.5, "null": None}[kind]


@pytest.mark.parametrize("name", ["containerd-runtime.schema.json", "containerd-runc-options.schema.json",
                                  "containerd-cri-plugin.schema.json", "crio-runtime.schema.json",
                                  "crio-runtime-config.schema.json"])
def test_runtime_tables_skip_jsonschema_only_when_it_finds_nothing(name):
    """unknown_keys and type_errors answer without jsonschema when the quick check passes: it
    may do so only when jsonschema finds no error."""
    from jsonschema import Draft202012Validator

    from rclint.kube.quickschema import surely_valid
    from rclint.runtimes import base

    schema = base.load_schema(name)
    validator = Draft202012Validator(schema)
    seed = _instance_of(schema)
    assert len(seed) >= 2
    passed = rejected = 0
    for table in _mutations(seed):
        if surely_valid(schema, table):
            assert list(validator.iter_errors(table)) == [], table
            assert base.unknown_keys(name, table) == [] and base.type_errors(name, table) == []
            passed += 1
        else:
            rejected += 1
    assert passed >= 2 and rejected >= len(seed)
    closed = schema.get("additionalProperties") is False
    assert base.unknown_keys(name, {**seed, "unknownField": 1}) == (["unknownField"] if closed else [])
