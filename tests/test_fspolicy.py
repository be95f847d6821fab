"""The filesystem policy (rclint.fspolicy) and the readers that go through it, in process:
exact findings and positions for refused paths, bounds, de-duplication, atomic writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rclint import engine
from rclint.baseline import load as load_baseline
from rclint.fspolicy import FsPolicy, Refused, TooLarge, check_writable, write_file
from rclint.settings import ConfigError, load_settings

from helpers import lint, write_files

RC = "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: kata\nhandler: kata\n"


def _codes(result, code="RCL003"):
    return [(f.path, f.span.line, f.span.column, f.message) for f in result.findings if f.code == code]


def test_untrusted_path_must_resolve_inside_a_root(tmp_path):
    write_files(tmp_path, {"tree/a.yaml": RC, "outside.yaml": RC})
    os.symlink("../outside.yaml", tmp_path / "tree/out.yaml")
    os.symlink("a.yaml", tmp_path / "tree/in.yaml")
    policy = FsPolicy([str(tmp_path / "tree")])
    assert policy.read_text(str(tmp_path / "tree/in.yaml")) == RC
    with pytest.raises(Refused, match="is a symbolic link out of the scanned tree"):
        policy.read_bytes(str(tmp_path / "tree/out.yaml"))
    # the user named it: trusted, wherever it is
    assert FsPolicy([], trusted=[str(tmp_path / "outside.yaml")]).read_text(str(tmp_path / "outside.yaml")) == RC


def test_size_is_checked_on_the_descriptor_before_reading(tmp_path):
    sparse = tmp_path / "big.json"
    with open(sparse, "wb") as fh:
        fh.truncate(3 * 1024 ** 3)
    with pytest.raises(TooLarge) as exc:
        FsPolicy([str(tmp_path)], max_size=1000).read_bytes(str(sparse))
    assert exc.value.size == 3 * 1024 ** 3 and "3,221,225,472 bytes, over the 1,000-byte limit" in exc.value.reason


def test_fifo_in_the_tree_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "p.yaml")
    with pytest.raises(Refused, match=r"is a FIFO \(named pipe\), not a regular file"):
        FsPolicy([str(tmp_path)]).read_bytes(str(tmp_path / "p.yaml"))


def test_refusals_are_rcl003_findings_once_each(tmp_path):
    write_files(tmp_path, {"rc.yaml": RC})
    os.symlink("/etc/passwd", tmp_path / "passwd.yaml")
    os.mkfifo(tmp_path / "fifo.json")
    os.symlink("nowhere.yaml", tmp_path / "dangling.yaml")  # inside the tree, names no file: nothing to report
    result = lint(tmp_path)
    assert _codes(result) == [
        ("fifo.json", 1, 1, "file not read: it is a FIFO (named pipe), not a regular file"),
        ("passwd.yaml", 1, 1, "file not read: it is a symbolic link out of the scanned tree"),
    ]
    fifo, passwd = [f for f in result.findings if f.code == "RCL003"]
    assert fifo.help == "replace it with a regular file, or list it under `exclude`"
    assert passwd.help.startswith("keep the file inside the scanned directory") and len(passwd.notes) == 1


def test_relative_import_out_of_the_node_root_is_refused_at_the_import_string(tmp_path):
    write_files(tmp_path, {"rc.yaml": RC, "node/etc/containerd/config.toml":
                           'version = 2\nimports = ["conf.d/x.toml", "../../../../../../../../../etc/passwd"]\n',
                           "node/etc/containerd/conf.d/x.toml": "version = 2\n", "elsewhere/y.toml": "version = 2\n"})
    found = _codes(lint(tmp_path))
    assert found == [("node/etc/containerd/config.toml", 2, 29,
                      "import '../../../../../../../../../etc/passwd' not read: it resolves outside the node root")]


def test_imports_are_deduplicated_by_the_file_they_reach(tmp_path):
    conf = tmp_path / "node/etc/containerd"
    write_files(tmp_path, {"node/etc/containerd/config.toml": 'version = 2\nimports = ["a/x.toml", "b/x.toml", "h.toml"]\n',
                           "node/etc/containerd/x.toml": 'version = 2\nimports = ["a/x.toml", "b/x.toml"]\n'})
    os.symlink(".", conf / "a")
    os.symlink(".", conf / "b")
    os.link(conf / "x.toml", conf / "h.toml")  # a hard link: the same file under another name
    result = lint(tmp_path)
    [cfg] = [c for c in result.inventory.runtime_configs if c.path.endswith("config.toml")]
    assert cfg.sources == ["node/etc/containerd/config.toml", "node/etc/containerd/a/x.toml"]


def test_dropin_walk_visits_each_directory_once(tmp_path):
    d = tmp_path / "crio.conf.d"
    d.mkdir()
    (d / "10.conf").write_text("[crio.runtime]\n")
    for name in "xyz":
        os.symlink(".", d / name)
    os.symlink("/etc", d / "etc")
    files, refused = FsPolicy([str(tmp_path)]).dropins(str(d), os.path.realpath(tmp_path))
    assert files == [str(d / "10.conf")]
    assert [(Path(p).name, r) for p, r in refused] == [
        ("etc", "is a symbolic link out of the scanned tree")]


def test_dropin_directory_linked_out_of_the_tree(tmp_path):
    write_files(tmp_path, {"rc.yaml": RC, "etc/crio/crio.conf": "[crio.runtime]\n"})
    os.symlink("/etc", tmp_path / "etc/crio/crio.conf.d")
    assert _codes(lint(tmp_path)) == [
        ("etc/crio/crio.conf.d", 1, 1, "drop-in directory not read: it is a symbolic link out of the scanned tree")]


@pytest.mark.parametrize("config", ['node-config = ["/etc"]\n', 'node-config = ["../../../../../../../etc"]\n',
                                    '[[node-pool]]\nname = "p"\nruntime-config = ["/etc/crio/crio.conf"]\n'])
def test_configuration_names_only_paths_inside_its_directory(tmp_path, config):
    write_files(tmp_path, {".rclint.toml": config, "rc.yaml": RC})
    with pytest.raises(ConfigError, match="resolves outside .*; rclint reads only files inside the configuration's "
                                          "directory"):
        load_settings([str(tmp_path)])


def test_configuration_file_linked_out_of_its_directory_is_an_error(tmp_path):
    write_files(tmp_path, {"outside.toml": 'select = ["RCL1"]\n', "repo/rc.yaml": RC})
    (tmp_path / "repo/.git").mkdir()
    os.symlink("../outside.toml", tmp_path / "repo/.rclint.toml")
    with pytest.raises(ConfigError, match="is a symbolic link to a file outside its directory"):
        load_settings([str(tmp_path / "repo")])


def test_a_file_deleted_during_the_run_is_a_finding(tmp_path, monkeypatch):
    write_files(tmp_path, {"rc.yaml": RC, "gone.yaml": RC.replace("kata", "gone"),
                           "etc/containerd/config.toml": "version = 2\n"})
    real_discover = engine.discover

    def discover_then_delete(settings):
        found = real_discover(settings)
        os.unlink(tmp_path / "gone.yaml")
        os.unlink(tmp_path / "etc/containerd/config.toml")
        return found

    monkeypatch.setattr(engine, "discover", discover_then_delete)
    assert [(p, ln, col) for p, ln, col, _m in _codes(lint(tmp_path))] == [
        ("etc/containerd/config.toml", 1, 1), ("gone.yaml", 1, 1)]


@pytest.mark.parametrize("content, message", [
    ("[" * 50_000 + "]" * 50_000, "not a baseline file (nested too deeply)"),
    (json.dumps({"version": 1, "findings": [{"code": ["x"], "fingerprint": "f"}]}),
     "entry 0 is malformed (each entry needs a string 'code' and 'fingerprint'"),
    (json.dumps({"version": 1, "findings": [7]}), "entry 0 is malformed"),
    (b"\xff\xfe{}", "not a baseline file (not UTF-8 at byte 0)"),
])
def test_broken_baselines_are_usage_errors(tmp_path, content, message):
    p = tmp_path / "b.json"
    p.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(ConfigError) as exc:
        load_baseline(str(p))
    assert message in str(exc.value)


def test_baseline_must_be_a_regular_file(tmp_path):
    os.symlink("/dev/zero", tmp_path / "b.json")
    with pytest.raises(ConfigError, match="is a character device, not a regular file"):
        load_baseline(str(tmp_path / "b.json"))


def test_write_refuses_symlinks_and_symlinked_directories_in_the_tree(tmp_path):
    (tmp_path / "victim").write_text("keep")
    os.symlink(tmp_path / "victim", tmp_path / "out.sarif")
    os.symlink(tmp_path / "gone", tmp_path / "dangling.sarif")
    (tmp_path / "tree").mkdir()
    os.symlink(tmp_path, tmp_path / "tree/reports")
    for target in ("out.sarif", "dangling.sarif"):
        with pytest.raises(Refused, match="it is a symbolic link; rclint never writes through one"):
            write_file(str(tmp_path / target), "x")
    with pytest.raises(Refused, match="its directory is reached through a symbolic link inside the scanned tree"):
        check_writable(str(tmp_path / "tree/reports/r.sarif"), [str(tmp_path / "tree")])
    assert (tmp_path / "victim").read_text() == "keep" and not (tmp_path / "gone").exists()
    write_file(str(tmp_path / "new.json"), "{}\n")
    assert (tmp_path / "new.json").read_text() == "{}\n"
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".rclint-tmp")]
