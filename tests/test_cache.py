"""The result cache (--cache-dir / --no-cache) and loading in worker processes (--jobs):
both only ever change how long a run takes, never what it reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rclint import engine, parallel
from rclint.cli import main

from helpers import heavy, write_files

RC = "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: kata\nhandler: kata\n"
POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  runtimeClassName: {name}\n"
       "  containers: [{{name: c, image: x}}]\n")
CONTAINERD = ('version = 2\nimports = ["extra.cfg"]\n[plugins."io.containerd.grpc.v1.cri".containerd]\n'
              '  default_runtime_name = "runc"\n')
EXTRA = ('version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.{name}]\n'
         '  runtime_type = "io.containerd.kata.v2"\n')


@pytest.fixture
def repo(tmp_path, monkeypatch):
    tree = tmp_path / "repo"
    write_files(tree, {"rc.yaml": RC, "pod.yaml": POD.format(name="kata-qmeu"),
                       "node/etc/containerd/config.toml": CONTAINERD,
                       "node/etc/containerd/extra.cfg": EXTRA.format(name="other")})
    monkeypatch.chdir(tree)
    return tree


def check(*args: str):
    r = CliRunner().invoke(main, ["check", "--format", "json", "--exit-zero", *args], catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    return r.stdout


def _forbid_loading(monkeypatch):
    def boom(*_a, **_k):
        raise AssertionError("loaded although the result was cached")

    monkeypatch.setattr(engine, "load_everything", boom)


def test_a_warm_run_replays_the_cold_one_without_loading(repo, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cold = check("--cache-dir", str(cache))
    assert json.loads(cold)["findings"]  # RCL101 for kata-qmeu, RCL102 for kata ...
    assert len(list(cache.glob("*.json"))) == 1
    with monkeypatch.context() as m:
        _forbid_loading(m)
        assert check("--cache-dir", str(cache)) == cold
    # --no-cache neither reads nor writes
    assert check("--no-cache") == cold
    # the text report's code frames come out the same from a cached result
    texts = [CliRunner().invoke(main, ["check", "--format", "text", "--no-color", "--exit-zero", *args],
                                catch_exceptions=False).stdout
             for args in (["--no-cache"], ["--cache-dir", str(tmp_path / "c2")], ["--cache-dir", str(tmp_path / "c2")])]
    assert texts[0] == texts[1] == texts[2] and " | " in texts[0]


def test_the_default_cache_is_in_the_user_cache_directory(repo, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cold = check()
    assert len(list((tmp_path / "xdg" / "rclint").glob("*.json"))) == 1
    with monkeypatch.context() as m:
        _forbid_loading(m)
        assert check() == cold


@pytest.mark.parametrize("change", ["manifest", "imported", "settings", "new file"])
def test_any_change_to_what_the_result_depends_on_is_a_miss(repo, tmp_path, change):
    cache = str(tmp_path / "cache")
    before = json.loads(check("--cache-dir", cache))
    args = ["--cache-dir", cache]
    if change == "manifest":
        (repo / "pod.yaml").write_text(POD.format(name="kata"))
    elif change == "imported":  # read through containerd's imports only, not discovered
        (repo / "node/etc/containerd/extra.cfg").write_text(EXTRA.format(name="kata"))
    elif change == "settings":
        args += ["--ignore", "RCL101"]
    else:
        (repo / "pod2.yaml").write_text(POD.format(name="gvisor"))
    after = json.loads(check(*args))
    fresh = json.loads(check("--no-cache", *args[2:]))
    assert after == fresh != before


def test_a_corrupt_or_foreign_entry_is_a_miss_and_is_replaced(repo, tmp_path):
    cache = tmp_path / "cache"
    cold = check("--cache-dir", str(cache))
    entry = next(cache.glob("*.json"))
    for junk in (b"", b"{not json", json.dumps({"format": 1, "key": entry.stem, "sources": [],
                                                 "findings": [{"@": "os.system", "x": 1}], "stats": {},
                                                 "enabled": []}).encode(), b"\xff" * 100):
        entry.write_bytes(junk)
        assert check("--cache-dir", str(cache)) == cold
        assert json.loads(entry.read_bytes())["key"] == entry.stem


def test_never_inside_the_scanned_tree(repo):
    out = json.loads(check("--cache-dir", "cache", "."))
    assert not (repo / "cache").exists()
    assert any("not used: it is inside a scanned path" in n for n in out["summary"]["notes"])


def test_never_through_a_symlink(repo, tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    out = json.loads(check("--cache-dir", str(link)))
    assert list(target.iterdir()) == []
    assert any("not used: it is a symlink" in n for n in out["summary"]["notes"])


def test_an_entry_that_is_a_symlink_is_not_followed(repo, tmp_path):
    cache = tmp_path / "cache"
    cold = check("--cache-dir", str(cache))
    entry = next(cache.glob("*.json"))
    decoy = tmp_path / "decoy.json"
    decoy.write_bytes(entry.read_bytes().replace(b"kata-qmeu", b"KATA-QMEU"))
    entry.unlink()
    entry.symlink_to(decoy)
    assert check("--cache-dir", str(cache)) == cold
    assert b"KATA-QMEU" in decoy.read_bytes()  # neither read nor written through
    assert not entry.is_symlink()


def test_concurrent_runs_share_a_cache_safely(repo, tmp_path):
    cache = str(tmp_path / "cache")
    cmd = [sys.executable, "-m", "rclint", "check", "--format", "json", "--exit-zero", "--cache-dir", cache]
    procs = [subprocess.Popen(cmd, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) for _ in range(4)]
    outs = {p.communicate(timeout=120)[0] for p in procs}
    assert len(outs) == 1
    assert subprocess.run(cmd, cwd=repo, capture_output=True).stdout in outs
    assert [p.name for p in Path(cache).iterdir() if not p.name.startswith(".")] != []


# --------------------------------------------------------------------------- worker processes


def _spy_on(monkeypatch, name: str) -> list:
    """Whether each call of rclint.parallel's `name` used workers (gave something, not None)."""
    used = []
    real = getattr(parallel, name)

    def spy(*a, **k):
        out = real(*a, **k)
        used.append(out is not None)
        return out

    monkeypatch.setattr(parallel, name, spy)
    return used


@pytest.mark.parametrize("count_only", [False, True], ids=["split-by-bytes", "dealt-by-count"])
def test_workers_give_byte_identical_output(tmp_path, monkeypatch, count_only):
    heavy().generate(tmp_path, pods=300, nodes=10, pools=4, per_file=5)
    (tmp_path / "unreadable.yaml").symlink_to(tmp_path / "missing.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "MIN_FILES", 2)
    monkeypatch.setattr(parallel, "MIN_AVERAGE_BYTES", 0)
    monkeypatch.setattr(parallel, "COUNT_ONLY_FILES", 2 if count_only else 10**9)
    used = _spy_on(monkeypatch, "load_in_workers")
    one = check("--no-cache", "--jobs", "1")
    two = check("--no-cache", "--jobs", "2")
    assert used == [False, True]
    assert one == two
    assert json.loads(two)["summary"]["files"] > 60
    # the text report's code frames read files again: files a worker read are readable again
    texts = [CliRunner().invoke(main, ["check", "--format", "text", "--no-color", "--exit-zero", "--no-cache",
                                       "--jobs", jobs], catch_exceptions=False).stdout for jobs in ("1", "2")]
    assert texts[0] == texts[1] and texts[0].count("|") > 100


def test_small_inputs_stay_in_one_process(repo):
    inputs = [engine.InputFile(str(p), p.name, "manifest") for p in repo.glob("*.yaml")]
    assert parallel.load_in_workers(inputs, 10**6, False, workers=2) is None


def _small_pods_in_workers(tmp_path, monkeypatch, count):
    """`count` pods naming a missing class, in a tree small enough that workers start only
    because the thresholds are lowered."""
    for i in range(count):
        (tmp_path / f"p{i}.yaml").write_text(
            f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\nspec:\n  runtimeClassName: missing\n"
            "  containers: [{name: c, image: nginx}]\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "MIN_FILES", 2)


def test_a_worker_that_dies_costs_time_not_findings(tmp_path, monkeypatch):
    import os

    _small_pods_in_workers(tmp_path, monkeypatch, 8)
    one = check("--no-cache", "--jobs", "1")
    monkeypatch.setattr(parallel, "_child", lambda indices, w: os._exit(3))
    assert check("--no-cache", "--jobs", "3") == one
    assert json.loads(one)["summary"]["findings"] == 8


def test_batches_a_worker_took_before_dying_are_loaded_by_the_main_process(tmp_path, monkeypatch):
    _small_pods_in_workers(tmp_path, monkeypatch, 12)
    one = check("--no-cache", "--jobs", "1")

    def take_two_then_die(tokens):
        parallel._take(tokens)
        parallel._take(tokens)
        raise RuntimeError("worker lost")

    monkeypatch.setattr(parallel, "_remote", take_two_then_die)
    assert check("--no-cache", "--jobs", "2") == one
    assert json.loads(one)["summary"]["findings"] == 12



@pytest.mark.parametrize("worker", ["works", "dies"])
def test_checks_shared_with_a_worker_give_byte_identical_output(tmp_path, monkeypatch, worker):
    """On big inputs whose pod specs the first pass keeps (files that also hold RuntimeClasses
    or Nodes, as one rendered chart does), a forked worker runs RCL101 and RCL107 (and their
    fixes) beside the main process: findings, fixes, notes and their order are those of one
    process."""
    import os

    from rclint import stream

    monkeypatch.setattr(stream, "may_hold_context", lambda data: True)

    heavy().generate(tmp_path, pods=300, nodes=10, pools=4, per_file=5)
    monkeypatch.chdir(tmp_path)
    one = {fmt: CliRunner().invoke(main, ["check", "--format", fmt, "--no-color", "--exit-zero", "--no-cache",
                                          "--jobs", "1"], catch_exceptions=False).stdout for fmt in ("json", "full")}
    monkeypatch.setattr(parallel, "SPLIT_CHECKS_MIN_POD_SPECS", 10)
    split = _spy_on(monkeypatch, "_split_checks")
    if worker == "dies":
        monkeypatch.setattr(parallel, "_checks_child", lambda ctx, checks, w: os._exit(3))
    two = {fmt: CliRunner().invoke(main, ["check", "--format", fmt, "--no-color", "--exit-zero", "--no-cache",
                                          "--jobs", "2"], catch_exceptions=False).stdout for fmt in ("json", "full")}
    assert split == [True, True]
    assert two == one
    doc = json.loads(one["json"])
    codes = {f["code"] for f in doc["findings"]}
    assert {"RCL101", "RCL107"} <= codes
    assert all(f.get("fix") for f in doc["findings"] if f["code"] == "RCL107")  # the worker's fixes
