"""Differential tests: rclint's containerd-1.x model against a real containerd 1.x.

`containerd --config FILE config dump` prints the configuration containerd 1.x really loads
(main file + imports, merged, decoded over the plugin defaults). For every version 1/2 config
of the corpus and a few scenarios, the handler set and default handler rclint derives with
containerd 1.x semantics must equal what the dump shows, after applying the CRI plugin's own
start-up rewrite (pkg/cri/config ValidatePluginConfig: a non-empty `default_runtime` becomes
the runtime "default" and the default name; `untrusted_workload_runtime` becomes "untrusted").

Runs only where a containerd binary exists. CI installs one with:
    apt-get update && apt-get install -y containerd
"""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from rclint.runtimes import load_containerd
from rclint.runtimes.containerd import go_glob

try:
    import tomllib
except ImportError:  # pragma: no cover
    import tomli as tomllib

CONTAINERD = shutil.which("containerd")
pytestmark = pytest.mark.skipif(
    CONTAINERD is None,
    reason="containerd binary not found (install it with: apt-get update && apt-get install -y containerd)",
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
REAL_CONTAINERD = SHARED / "corpus" / "real" / "containerd"
CRI = "io.containerd.grpc.v1.cri"


def containerd_version() -> str:
    out = subprocess.run([CONTAINERD, "--version"], capture_output=True, text=True, timeout=30).stdout
    return out.strip()


def dump(config: Path):
    """(handler names, default handler) as containerd 1.x loads them."""
    proc = subprocess.run(
        [CONTAINERD, "--config", str(config), "config", "dump"],
        cwd=str(config.parent),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    loaded = tomllib.loads(proc.stdout)
    ctd = loaded["plugins"][CRI]["containerd"]
    handlers = set(ctd.get("runtimes", {}))
    default = ctd.get("default_runtime_name")
    # ValidatePluginConfig (run when the CRI plugin starts) rewrites the deprecated tables
    if (ctd.get("untrusted_workload_runtime") or {}).get("runtime_type"):
        handlers.add("untrusted")
    if (ctd.get("default_runtime") or {}).get("runtime_type"):
        handlers.add("default")
        default = "default"
    return handlers, default


def rclint_view(config: Path):
    cfg = load_containerd(str(config), semantics="1.x")
    assert cfg.semantics == "containerd-1.x"
    return set(cfg.handlers), cfg.default_handler


def _corpus_v1_v2():
    if not REAL_CONTAINERD.is_dir():
        return []
    out = []
    for path in sorted(REAL_CONTAINERD.rglob("*.toml")):
        try:
            version = tomllib.loads(path.read_text(encoding="utf-8")).get("version")
        except Exception:  # noqa: BLE001
            continue
        if version in (None, 1, 2):
            out.append(path)
    return out


@pytest.mark.parametrize("path", _corpus_v1_v2() or [None], ids=lambda p: p.name if p else "missing")
def test_corpus_configs_match_config_dump(path):
    if path is None:
        pytest.skip(f"shared corpus not found at {SHARED}")
    text = path.read_text(encoding="utf-8")
    imports = tomllib.loads(text).get("imports") or []
    for entry in imports:
        if entry.startswith("/") and ("*" in entry and go_glob(entry) or "*" not in entry and os.path.exists(entry)):
            pytest.skip(f"{path.name} imports {entry}, which exists on this host: containerd would read it")
    assert rclint_view(path) == dump(path), containerd_version()


SCENARIOS = {
    "kata-only": {
        "config.toml": """
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]
  runtime_type = "io.containerd.kata.v2"
""",
    },
    "kata-default": {
        "config.toml": """
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = "kata"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]
    runtime_type = "io.containerd.kata.v2"
""",
    },
    "runc-options-only": {
        "config.toml": """
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true
""",
    },
    "empty-runtimes-table": {
        "config.toml": """
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes]
""",
    },
    "containerd-table-without-runtimes": {
        "config.toml": """
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd]
  snapshotter = "native"
""",
    },
    "untrusted-workload-runtime": {
        "config.toml": """
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.untrusted_workload_runtime]
  runtime_type = "io.containerd.runsc.v1"
""",
    },
    "v2-path-without-version": {
        "config.toml": """
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.gvisor]
  runtime_type = "io.containerd.runsc.v1"
""",
    },
    "relative-imports-merge": {
        "config.toml": """
version = 2
imports = ["conf.d/*.toml", "extra.toml"]
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
""",
        "conf.d/10-kata.toml": """
version = 2
imports = ["../more/20-oom.toml"]
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]
  runtime_type = "io.containerd.kata.v2"
""",
        "extra.toml": "version = 2\noom_score = -10\n",
        "more/20-oom.toml": "version = 2\noom_score = -20\n",
    },
    "relative-import-replaces-cri": {
        "config.toml": """
version = 2
imports = ["drop.toml"]
[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = "runc"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
""",
        "drop.toml": """
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia]
  runtime_type = "io.containerd.runc.v2"
""",
    },
    "import-cycle": {
        "config.toml": 'version = 2\nimports = ["a.toml"]\n',
        "a.toml": """
version = 2
imports = ["config.toml"]
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.wasm]
  runtime_type = "io.containerd.wasmtime.v1"
[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = "wasm"
""",
    },
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenarios_match_config_dump(name, tmp_path):
    for rel, text in SCENARIOS[name].items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.lstrip("\n"), encoding="utf-8")
    config = tmp_path / "config.toml"
    assert rclint_view(config) == dump(config), containerd_version()


def test_kata_only_expectations_hold(tmp_path):
    """Pin the dump itself: a file defining only kata loses runc and keeps default 'runc'."""
    config = tmp_path / "config.toml"
    config.write_text(SCENARIOS["kata-only"]["config.toml"], encoding="utf-8")
    assert dump(config) == ({"kata"}, "runc")
    cfg = load_containerd(str(config))
    assert [f.code for f in cfg.findings] == ["RCL302"]


# --------------------------------------------------------------------------- the daemon


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() != 0, reason="running containerd needs root")
def test_daemon_cri_plugin_fails_without_default_runtime(tmp_path):
    """containerd keeps running, but its CRI plugin fails to load for a kata-only config."""
    scratch = Path(tempfile.mkdtemp(prefix="rcl-ctd-"))  # short: unix socket paths are limited
    try:
        config = tmp_path / "config.toml"
        config.write_text(
            f"""
version = 2
root = "{scratch}/root"
state = "{scratch}/state"
disabled_plugins = [
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper",
]
[grpc]
  address = "{scratch}/c.sock"
[ttrpc]
  address = "{scratch}/c.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "{scratch}/opt"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]
  runtime_type = "io.containerd.kata.v2"
""",
            encoding="utf-8",
        )
        log_path = tmp_path / "containerd.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen([CONTAINERD, "--config", str(config)], stdout=log, stderr=subprocess.STDOUT,
                                    cwd=str(tmp_path))
        try:
            deadline = time.monotonic() + 30
            text = ""
            while time.monotonic() < deadline:
                text = log_path.read_text(errors="replace")
                if "no corresponding runtime configured" in text and "successfully booted" in text:
                    break
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
        finally:
            proc.kill()
            proc.wait(timeout=30)
        text = log_path.read_text(errors="replace")
        failure = [line for line in text.splitlines() if "failed to load plugin io.containerd.grpc.v1.cri" in line]
        assert failure, text[-3000:]
        assert "no corresponding runtime configured" in failure[0]
        assert "default_runtime_name" in failure[0] and '\\"runc\\"' in failure[0]
        # and rclint says the same thing before any node sees the file
        cfg = load_containerd(str(config))
        assert [(f.code, f.field) for f in cfg.findings] == [
            ("RCL302", 'plugins."io.containerd.grpc.v1.cri".containerd.default_runtime_name')
        ]
        assert set(cfg.handlers) == {"kata"}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# --------------------------------------------------------------------------- RCL311 (missing imports)


@pytest.mark.parametrize("imports,fails", [
    (['"missing.toml"'], True),                          # a missing non-glob import stops containerd
    (['"conf.d/*.toml"'], False),                        # a glob that matches nothing is fine
    (['"present.toml"', '"conf.d/*.toml"'], False),
    (['"present.toml"', '"gone.toml"'], True),
])
def test_missing_non_glob_import_agrees_with_containerd(tmp_path, imports, fails):
    from rclint.classify import recognise

    (tmp_path / "present.toml").write_text("version = 2\n", encoding="utf-8")
    main = tmp_path / "config.toml"
    main.write_text(f"version = 2\nimports = [{', '.join(imports)}]\n", encoding="utf-8")
    proc = subprocess.run([CONTAINERD, "--config", str(main), "config", "dump"], cwd=str(tmp_path),
                          capture_output=True, text=True, timeout=60)
    assert (proc.returncode != 0) == fails, proc.stderr
    if fails:
        assert "failed to load TOML" in proc.stderr and "no such file or directory" in proc.stderr
    cfg = load_containerd(str(main))
    assert [f.code for f in cfg.findings] == (["RCL311"] if fails else [])
    assert (cfg.handlers_unknown is not None) == fails
    assert recognise(str(main), main.read_text(encoding="utf-8")).kind == "containerd"
