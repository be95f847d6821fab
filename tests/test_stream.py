"""The second pass (rclint.stream): files of pod specs loaded and checked a batch at a time.

It must give the output of one pass over everything, whatever the batches, the processes and
the order of the files; it must never set aside a file that holds an object the first pass
needs; and the pod specs it holds at once must not grow with the input.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from rclint import engine, parallel, stream
from rclint.cli import main

from helpers import heavy





@pytest.fixture(autouse=True)
def second_pass_for_small_trees(monkeypatch):
    """These trees are small: a second pass runs for them all the same."""
    monkeypatch.setattr(stream, "MIN_BYTES", 0)


def _run(root: Path, monkeypatch, fmt: str, *extra: str) -> str:
    monkeypatch.chdir(root)
    r = CliRunner().invoke(main, ["check", ".", "--format", fmt, "--exit-zero", "--no-color", "--no-cache", *extra],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    return r.stdout


def _outputs(root: Path, monkeypatch, *extra: str) -> dict:
    return {fmt: _run(root, monkeypatch, fmt, *extra) for fmt in ("json", "full")}


MIXED = {
    # pod specs beside the RuntimeClasses: the first pass keeps these
    "mixed/chart.yaml": (
        "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: chart-kata}\nhandler: kata-qemu\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: in-chart}\nspec:\n  runtimeClassName: chart-kata\n"
        "  hostNetwork: true\n  containers: [{name: a, image: x}]\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: typo-in-chart}\nspec:\n  runtimeClassName: chart-kta\n"
        "  containers: [{name: a, image: x}]\n"
    ),
    # a class used only by a pod spec of the second pass is used (RCL109), and its untolerated
    # taints are said of that pod, not of the class (RCL105)
    "mixed/only-used-later.yaml": (
        "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: later}\nhandler: kata-qemu\n"
    ),
    # a class whose only nodes it does not tolerate, used only by a pod spec of the second
    # pass: RCL105 is said of that pod, not of the class
    "mixed/tainted.yaml": (
        "apiVersion: v1\nkind: Node\nmetadata:\n  name: tainted-0\n  labels: {kubernetes.io/os: linux}\n"
        "spec:\n  taints: [{key: only, value: special, effect: NoSchedule}]\n"
        "status:\n  runtimeHandlers:\n    - {name: special-h, features: {recursiveReadOnlyMounts: true}}\n"
        "---\napiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: special}\nhandler: special-h\n"
    ),
    "zz/special-user.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: special-user}\nspec:\n  runtimeClassName: special\n"
        "  containers: [{name: a, image: x}]\n"
    ),
    "zz/user.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: late-user}\nspec:\n  runtimeClassName: later\n"
        "  containers: [{name: a, image: x}]\n"
    ),
    # suppressions in a file of the second pass: one used, one matching nothing (RCL006), one
    # malformed; a file-level one
    "zz/suppressed.yaml": (
        "# rclint: ignore-file[RCL401]\n"
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: quiet\n  annotations:\n    rclint.io/ignore: RCL101\n"
        "spec:\n  runtimeClassName: nope  # rclint: ignore[RCL107]\n  hostNetwork: true\n"
        "  containers: [{name: a, image: x}]\n"
        "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: loud\n  annotations:\n    rclint.io/ignore: RCL9999\n"
        "spec:\n  runtimeClassName: nope\n  containers: [{name: a, image: x}]\n"
    ),
    # input findings of the second pass: a syntax error, a template, a duplicate key
    "zz/broken.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  runtimeClassName: [kata\n",
    "zz/template.yaml": ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\nspec:\n"
                         "  runtimeClassName: {{ .Values.class }}\n"),
    "zz/dup.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: d\n  name: e\nspec:\n  runtimeClassName: kata\n",
}


@pytest.fixture
def tree(tmp_path):
    heavy().generate(tmp_path, pods=600, nodes=12, pools=6, per_file=5)
    for name, text in MIXED.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_the_second_pass_gives_the_output_of_one_pass(tree, monkeypatch):
    spy = _SpyBatches(monkeypatch)
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(stream, "BATCH_BYTES", 8_000)  # many batches
    batched = _outputs(tree, monkeypatch, "--jobs", "1")
    assert spy.batches > 20 and spy.pod_specs >= 600
    in_workers = _outputs(tree, monkeypatch, "--jobs", "2")
    monkeypatch.setattr(stream, "may_hold_context", lambda data: True)  # nothing set aside
    spy.batches = 0
    one_pass = _outputs(tree, monkeypatch, "--jobs", "1")
    assert spy.batches == 0
    assert batched == one_pass
    assert in_workers == one_pass
    doc = json.loads(one_pass["json"])
    codes = {f["code"] for f in doc["findings"]}
    assert {"RCL001", "RCL004", "RCL005", "RCL006", "RCL101", "RCL107", "RCL401"} <= codes
    by_path = {}
    for f in doc["findings"]:
        by_path.setdefault(f["path"], []).append(f)
    # used, by a pod of the second pass: not RCL109
    assert "RCL109" not in {f["code"] for f in by_path["mixed/only-used-later.yaml"]}
    assert "RCL105" in {f["code"] for f in by_path["zz/special-user.yaml"]}
    assert not {"RCL105", "RCL109"} & {f["code"] for f in by_path.get("mixed/tainted.yaml", [])}
    # the file-level and the line comment match nothing; the annotation's code is no rule
    assert [(f["code"], f["line"]) for f in by_path["zz/suppressed.yaml"]] == [
        ("RCL006", 1), ("RCL006", 9), ("RCL006", 18), ("RCL101", 20)]
    assert any(f["fix"] for f in doc["findings"] if f["path"].startswith("apps/"))
    assert doc["summary"]["suppressed"] >= 1


def test_a_worker_of_the_second_pass_that_dies_costs_time_not_findings(tree, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(stream, "BATCH_BYTES", 8_000)
    one = _run(tree, monkeypatch, "json", "--jobs", "1")

    def take_two_then_die(tokens):
        parallel._take(tokens)
        parallel._take(tokens)
        os._exit(3)

    monkeypatch.setattr(parallel, "_remote", take_two_then_die)
    assert _run(tree, monkeypatch, "json", "--jobs", "3") == one


class _SpyBatches:
    """Counts the second pass's batches and the most pod specs one of them held."""

    def __init__(self, monkeypatch):
        self.batches = 0
        self.pod_specs = 0
        self.most = 0
        real = stream._Job._batch_inventory

        def spy(job, inv):
            self.batches += 1
            self.pod_specs += len(inv.pod_specs)
            self.most = max(self.most, len(inv.pod_specs))
            return real(job, inv)

        monkeypatch.setattr(stream._Job, "_batch_inventory", spy)


def test_pod_specs_held_at_once_do_not_grow_with_the_input(tmp_path, monkeypatch):
    """Counted, not timed: four times the pod specs, the same number held at once, and none of
    them in the inventory the rest of the run keeps."""
    most = []
    for pods in (500, 2000):
        root = tmp_path / str(pods)
        heavy().generate(root, pods=pods, nodes=4, pools=2)
        spy = _SpyBatches(monkeypatch)
        monkeypatch.chdir(root)
        from helpers import lint

        result = lint(root, cache_dir=None, jobs=1)
        assert spy.pod_specs == pods
        assert result.inventory.pod_specs == []
        most.append(spy.most)
    assert most[1] <= most[0] * 1.1 and most[0] < 200


def test_a_file_that_changes_between_the_passes_is_reported_not_misread(tmp_path, monkeypatch):
    pod = tmp_path / "pod.yaml"
    pod.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  runtimeClassName: missing\n")
    real = stream.check_deferred

    def swap_then_check(deferred, *a, **k):  # a RuntimeClass the first pass never saw
        pod.write_text("apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: x}\nhandler: runc\n")
        return real(deferred, *a, **k)

    monkeypatch.setattr(stream, "check_deferred", swap_then_check)
    doc = json.loads(_run(tmp_path, monkeypatch, "json"))
    assert [(f["code"], f["path"], f["line"], f["message"]) for f in doc["findings"]] == [
        ("RCL003", "pod.yaml", 1, "file changed while rclint was reading it: not linted")]


@pytest.mark.parametrize("text, holds", [
    (b"apiVersion: v1\nkind: Pod\nspec: {runtimeClassName: kata, nodeSelector: {a: b}}\n", False),
    (b"kind: RuntimeClass\n", True),
    (b"kind: NodeList\nitems: [{metadata: {name: n}}]\n", True),  # its items are Nodes
    (b"kind: KubeletConfiguration\n", True),
    (b'kind: "Runtime\\u0043lass"\n', True),  # an escape spells it
    (b'{"kind": "\\u004eode"}', True),
    (b"\xff\xfek\x00i\x00n\x00d\x00", True),  # UTF-16: judged once decoded
    (b"kind: Pod\x00", True),
])
def test_what_may_hold_an_object_the_first_pass_needs(text, holds):
    assert stream.may_hold_context(text) is holds


def test_what_the_first_pass_sets_aside_it_does_not_parse(tmp_path, monkeypatch):
    (tmp_path / "rc.yaml").write_text("apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: k}\nhandler: k\n")
    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {runtimeClassName: k}\n")
    (tmp_path / "escaped.yaml").write_text('apiVersion: node.k8s.io/v1\nkind: "Runtime\\u0043lass"\n'
                                           "metadata: {name: e}\nhandler: e\n")
    from rclint.settings import Settings

    settings = Settings(paths=[str(tmp_path)], cache_dir=None)
    deferred: list = []
    files, inventory, _raw = engine.load_everything(settings, engine.Stats(), deferred=deferred)
    assert [os.path.basename(inp.path) for inp, _d in deferred] == ["pod.yaml"]
    assert sorted(rc.name for rc in inventory.runtime_classes) == ["e", "k"]  # escapes read as kubectl does
    assert inventory.pod_specs == []


def test_checks_outside_pod_checks_read_no_pod_spec_and_pod_checks_say_nothing_else(tree, monkeypatch):
    """What makes the split sound: with every pod spec and object taken out of the inventory
    (their RuntimeClass names left in deferred_classes), the other checks say the same, and
    POD_CHECKS without `rc_part` say nothing."""
    from rclint.checks import POD_CHECKS, Context, load_all
    from rclint.checks.references import referenced_class
    from rclint.settings import load_settings

    monkeypatch.setattr(stream, "may_hold_context", lambda data: True)
    monkeypatch.chdir(tree)
    settings = load_settings(["."], isolated=True)
    _files, whole, _raw = engine.load_everything(settings, engine.Stats())
    assert len(whole.pod_specs) > 600
    bare = engine.load_everything(settings, engine.Stats())[1]
    bare.deferred_classes = {referenced_class(ref) for ref in bare.pod_specs} - {None}
    bare.pod_specs, bare.objects = [], []
    said = 0
    for code, fn in sorted(load_all().items()):
        if code in POD_CHECKS:
            assert list(fn(Context(bare, settings, rc_part=False))) == [], code
        else:
            full = [(f.path, f.span, f.message) for f in fn(Context(whole, settings))]
            assert [(f.path, f.span, f.message) for f in fn(Context(bare, settings))] == full, code
            said += len(full)
    assert said > 5


def test_code_frames_hold_a_few_files_at_once(tmp_path, monkeypatch):
    """The full text report reads each file a finding points at when it gets there, and keeps
    only the last few: every frame is shown, not every file held."""
    from helpers import lint

    from rclint.engine import LazySources
    from rclint.reporters import get_chunked_reporter

    for i in range(30):
        (tmp_path / f"p{i:02}.yaml").write_text(
            f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\nspec:\n  runtimeClassName: missing-{i}\n")
    monkeypatch.chdir(tmp_path)  # display paths are relative to it, as in the command line
    result = lint(tmp_path, cache_dir=None)
    assert len(result.findings) == 30
    pieces = list(get_chunked_reporter("full")(result, None, colour=False, style="full"))
    assert len(pieces) == 30
    for i, piece in enumerate(pieces):
        assert f"5 |   runtimeClassName: missing-{i}" in piece
        assert piece.startswith("\n" if i else "error")
    assert len(result.sources._kept) == LazySources.KEEP
    assert "p00.yaml" in result.sources and result.sources["p00.yaml"].startswith("apiVersion")  # read again


def test_a_few_files_of_pod_specs_are_loaded_by_the_first_pass(tmp_path, monkeypatch):
    """Below stream.MIN_BYTES a second pass would cost more than it saves: the files it would
    take are loaded in the first pass, in their place."""
    from rclint.settings import Settings

    monkeypatch.setattr(stream, "MIN_BYTES", 1_000_000)
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {runtimeClassName: k}\n")
    (tmp_path / "b.yaml").write_text("apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: k}\nhandler: k\n")
    (tmp_path / "c.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: c}\nspec: {runtimeClassName: x}\n")
    deferred: list = []
    files, inventory, _raw = engine.load_everything(Settings(paths=[str(tmp_path)], cache_dir=None),
                                                    engine.Stats(), deferred=deferred)
    assert deferred == []
    assert [os.path.basename(f.path) for f in files] == ["a.yaml", "b.yaml", "c.yaml"]
    assert [ref.obj.name for ref in inventory.pod_specs] == ["a", "c"]


@pytest.mark.parametrize("sizes", [
    [1] * 100_000,
    [3_000_000, 1] * 400,  # a batch closes early whenever a big file follows
    [stream.BATCH_BYTES + 1] * 600,
    [(i * 7919) % 2_000_000 for i in range(5_000)],
    [0] * 10 + [5_000_000],
])
def test_second_pass_batches_keep_input_order_and_fit_the_batch_numbers(sizes):
    deferred = [(None, stream.Deferred(size, 0)) for size in sizes]
    parts = stream.batches(deferred)
    assert [i for part in parts for i in part] == list(range(len(sizes)))
    assert all(parts) and len(parts) <= 255


@pytest.mark.parametrize("min_bytes", [0, 1_000_000], ids=["second-pass", "loaded-in-the-first"])
def test_set_aside_files_that_go_away_before_they_are_loaded(tmp_path, monkeypatch, min_bytes):
    """Deleted between the passes: the symlink to it now dangles inside the tree (no file, as
    in the first pass), and the file itself is reported as unreadable."""
    monkeypatch.setattr(stream, "MIN_BYTES", min_bytes)
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  runtimeClassName: missing\n"
    (tmp_path / "target.yaml").write_text(pod)
    (tmp_path / "link.yaml").symlink_to("target.yaml")
    (tmp_path / "other.yaml").write_text(pod)
    real = engine.load_one

    def delete_before_the_second_read(inp, *a, **k):
        if k.get("again") is not None and (tmp_path / "target.yaml").exists():
            (tmp_path / "target.yaml").unlink()
        return real(inp, *a, **k)

    monkeypatch.setattr(engine, "load_one", delete_before_the_second_read)
    doc = json.loads(_run(tmp_path, monkeypatch, "json", "--jobs", "1"))
    assert [(f["code"], f["path"]) for f in doc["findings"]] == [("RCL101", "other.yaml"), ("RCL003", "target.yaml")]
