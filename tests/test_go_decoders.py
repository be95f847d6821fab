"""rclint's decode model against the TOML libraries the runtimes use, built from Debian's Go
packages (golang-go, golang-github-burntsushi-toml-dev, golang-github-pelletier-go-toml.v2-dev;
.ci/run installs them): CRI-O's BurntSushi/toml (drop-ins decoded over the config so far) and
containerd 2.x's go-toml v2 (typed CRI runtime tables, runc options).

Debian ships go-toml v2 2.0.x, whose type error says `cannot store TOML string into a Go bool`;
containerd 2.x vendors 2.2.x, which says `cannot decode TOML string into struct field ...`: the
tests check that decoding fails where rclint reports RCL315, not the wording."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import write_files

from rclint.runtimes import load_containerd, load_crio

GO = shutil.which("go")
GOPATH = Path("/usr/share/gocode")
SOURCE = Path(__file__).resolve().parent / "go" / "tomldecode" / "main.go"
LIBS = (GOPATH / "src/github.com/BurntSushi/toml", GOPATH / "src/github.com/pelletier/go-toml/v2")

pytestmark = pytest.mark.skipif(
    GO is None or not all(p.is_dir() for p in LIBS),
    reason="go and Debian's TOML libraries not installed (apt-get install golang-go "
           "golang-github-burntsushi-toml-dev golang-github-pelletier-go-toml.v2-dev)",
)


@pytest.fixture(scope="module")
def tomldecode(tmp_path_factory):
    out = tmp_path_factory.mktemp("go")
    env = dict(os.environ, GOPATH=str(GOPATH), GO111MODULE="off", GOFLAGS="", GOCACHE=str(out / "cache"),
               CGO_ENABLED="0")
    binary = out / "tomldecode"
    proc = subprocess.run([GO, "build", "-o", str(binary), str(SOURCE)], env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr

    def run(*args) -> dict:
        done = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run


def test_crio_dropin_rebuilds_a_redefined_handler(tmp_path, tomldecode):
    """cri-o/cri-o#8307: the drop-in's table replaces the handler; rclint models the same table."""
    write_files(tmp_path, {
        "crio.conf": '[crio.runtime.runtimes.kata-fc]\nruntime_path = "/opt/kata/bin/containerd-shim-kata-v2"\n'
                     'runtime_type = "vm"\n[crio.runtime.runtimes.runc]\nruntime_path = "/usr/bin/runc"\n',
        "crio.conf.d/50-fc.conf": '[crio.runtime.runtimes.kata-fc]\nruntime_root = "/run/vc"\n',
    })
    go = tomldecode("crio", tmp_path / "crio.conf", tmp_path / "crio.conf.d/50-fc.conf")
    assert go == {"kata-fc": {"runtime_root": "/run/vc"}, "runc": {"runtime_path": "/usr/bin/runc"}}
    cfg = load_crio(str(tmp_path / "crio.conf"), [str(tmp_path / "crio.conf.d/50-fc.conf")])
    assert {n: cfg.handlers[n].table for n in go} == go
    assert [f.code for f in cfg.findings] == ["RCL317"]


def test_crio_type_error_is_the_one_rclint_quotes(tmp_path, tomldecode):
    write_files(tmp_path, {"crio.conf.d/10.conf": '[crio.runtime]\ncgroup_manager = "systemd"\n'
                                                  '[crio.runtime.runtimes.kata]\nruntime_type = "vm"\n'
                                                  'privileged_without_host_devices = "true"\n'})
    go = tomldecode("crio", tmp_path / "crio.conf.d/10.conf")
    cfg = load_crio(None, [str(tmp_path / "crio.conf.d/10.conf")])
    [f] = [f for f in cfg.findings if f.code == "RCL315"]
    assert f.notes == (f"CRI-O refuses to start: `{go['error']}`",)


@pytest.mark.parametrize("table, flagged", [
    ('[containerd.runtimes.kata]\nruntime_type = "io.containerd.kata.v2"\nprivileged_without_host_devices = "true"\n',
     True),
    ('[containerd.runtimes.kata]\nruntime_type = "io.containerd.kata.v2"\nprivileged_without_host_devices = true\n',
     False),
    ('[containerd.runtimes.runc]\nruntime_type = "io.containerd.runc.v2"\n[containerd.runtimes.runc.options]\n'
     'SystemdCgroup = "true"\n', True),
    ('[containerd.runtimes.runc]\nruntime_type = "io.containerd.runc.v2"\n[containerd.runtimes.runc.options]\n'
     'SystemdCgroup = true\nBinaryName = "/usr/bin/crun"\n', False),
    ('[containerd.runtimes.runc]\nruntime_type = "io.containerd.runc.v2"\npod_annotations = ["a", 1]\n', True),
    ('[containerd]\ndefault_runtime_name = 1\n', True),
])
def test_containerd_2x_fails_to_decode_exactly_where_rclint_reports_rcl315(tmp_path, tomldecode, table, flagged):
    go = tomldecode("containerd", write_plugin(tmp_path, table, plugin_root=True))
    config = write_plugin(tmp_path, table)
    cfg = load_containerd(str(config), versions=["2.1"])
    assert ("error" in go) == flagged == any(f.code == "RCL315" for f in cfg.findings), (go, cfg.findings)


def write_plugin(tmp_path: Path, table: str, plugin_root: bool = False) -> Path:
    """The CRI plugin table alone (what containerd decodes into its config struct), or inside a
    version 3 config."""
    if plugin_root:
        path = tmp_path / "plugin.toml"
        path.write_text(table, encoding="utf-8")
        return path
    prefix = 'plugins."io.containerd.cri.v1.runtime".'
    lines = [("[" + prefix + line[1:]) if line.startswith("[") else line for line in table.splitlines()]
    path = tmp_path / "config.toml"
    path.write_text("version = 3\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path
