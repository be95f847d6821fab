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

import json
import os
import re
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

SHARED = Path(os.environ.get("RCLINT_SHARED", Path(__file__).resolve().parents[2] / "shared"))
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


def _nodes_json(config: Path) -> dict:
    from click.testing import CliRunner

    from rclint.cli import main

    old = os.getcwd()
    os.chdir(config.parent)
    try:
        r = CliRunner().invoke(main, ["nodes", "--isolated", "--format", "json", config.name], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def nodes_json_view(config: Path):
    """(handlers, default) of the containerd 1.6 view in `rclint nodes --format json`."""
    [pool] = _nodes_json(config)["pools"]
    [view] = [v for v in pool["views"] if "1.6" in v["versions"]]
    return set(view["handlers"]), view["default_handler"]


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
    assert nodes_json_view(path) == dump(path), containerd_version()


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
    # containerd 1.6.20 starts with version 3 (1.6.32+ refuse it) and reads it like version 2
    "version-3-read-as-version-2": {
        "config.toml": """
version = 3
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]
  runtime_type = "io.containerd.kata.v2"
[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = "kata"
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.gvisor]
  runtime_type = "io.containerd.runsc.v1"
""",
    },
    # a version-less file written for containerd 2.x: 1.x has no io.containerd.cri.v1.runtime plugin
    "v3-path-without-version": {
        "config.toml": """
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.kata]
  runtime_type = "io.containerd.kata.v2"
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


def run_daemon(tmp_path, body: str, until: str, version: int = 2) -> str:
    """Start containerd 1.x with `body` appended to an isolated base config; return its log once
    `until` and "successfully booted" appear (or it exits)."""
    scratch = Path(tempfile.mkdtemp(prefix="rcl-ctd-"))  # short: unix socket paths are limited
    if version == 1:  # short plugin IDs
        disabled, opt = '"btrfs", "zfs", "aufs", "devmapper"', "plugins.opt"
    else:
        disabled = ('"io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", '
                    '"io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper"')
        opt = 'plugins."io.containerd.internal.v1.opt"'
    try:
        config = tmp_path / "config.toml"
        config.write_text(
            f"""
version = {version}
root = "{scratch}/root"
state = "{scratch}/state"
disabled_plugins = [{disabled}]
[grpc]
  address = "{scratch}/c.sock"
[ttrpc]
  address = "{scratch}/c.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[{opt}]
  path = "{scratch}/opt"
""" + body,
            encoding="utf-8",
        )
        log_path = tmp_path / "containerd.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen([CONTAINERD, "--config", str(config)], stdout=log, stderr=subprocess.STDOUT,
                                    cwd=str(tmp_path))
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                text = log_path.read_text(errors="replace")
                if until in text and "successfully booted" in text:
                    break
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
        finally:
            proc.kill()
            proc.wait(timeout=30)
        return log_path.read_text(errors="replace")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() != 0, reason="running containerd needs root")
@pytest.mark.parametrize("body, error", [
    ('[plugins."io.containerd.grpc.v1.cri"]\n  systemd_cgroup = true\n',
     "`systemd_cgroup` only works for runtime io.containerd.runtime.v1.linux"),
    ('[plugins."io.containerd.grpc.v1.cri".containerd]\n  no_pivot = true\n',
     "`no_pivot` only works for runtime io.containerd.runtime.v1.linux"),
    ('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n  runtime_type = "io.containerd.runc.v2"\n'
     '  runtime_engine = "/usr/bin/runc"\n',
     "`runtime_engine` only works for runtime io.containerd.runtime.v1.linux"),
    ('[plugins."io.containerd.grpc.v1.cri".containerd.untrusted_workload_runtime]\n'
     '  runtime_type = "io.containerd.runsc.v1"\n'
     '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.untrusted]\n  runtime_type = "io.containerd.runsc.v1"\n'
     '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n  runtime_type = "io.containerd.runc.v2"\n',
     "conflicting definitions: configuration includes both `untrusted_workload_runtime` and `runtimes[\"untrusted\"]`"),
])
def test_daemon_fatal_1x_settings_stop_the_cri_plugin(tmp_path, body, error):
    """ValidatePluginConfig: these settings stop the CRI plugin of containerd 1.x, so rclint reports
    an error (RCL303) for pools on 1.x and says the plugin does not load."""
    text = run_daemon(tmp_path, body, "failed to load plugin io.containerd.grpc.v1.cri")
    failure = [line for line in text.splitlines() if "failed to load plugin io.containerd.grpc.v1.cri" in line]
    assert failure, text[-3000:]
    assert "invalid plugin config" in failure[0]
    assert error.replace('"', '\\"') in failure[0]
    cfg = load_containerd(str(tmp_path / "config.toml"), versions=["1.6"])
    [f] = [f for f in cfg.findings if f.code == "RCL303"]
    assert f.severity is not None and f.severity.label == "error"
    assert f.message.endswith("stops the CRI plugin of containerd 1.6")
    assert cfg.views[0].failures == [error]


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
        [view] = [v for v in cfg.views if "1.6" in v.versions]
        assert set(view.handlers) == {"kata"} and view.failures == ["RCL302"]
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
@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() != 0, reason="running containerd needs root")
def test_daemon_exits_on_a_quoted_boolean_with_the_error_rclint_quotes(tmp_path):
    """RCL315 in a runtime table: containerd 1.x exits at start-up with go-toml v1's error, which
    rclint quotes with the key's position."""
    body = ('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n  runtime_type = "io.containerd.runc.v2"\n'
            '  privileged_without_host_devices = "true"\n')
    text = run_daemon(tmp_path, body, "Can't convert")
    [line] = [line for line in text.splitlines() if "Can't convert" in line]
    cfg = load_containerd(str(tmp_path / "config.toml"), versions=["1.6"])
    [f] = [f for f in cfg.findings if f.code == "RCL315"]
    quoted = f.notes[0].split("`")[1]
    assert line == f"containerd: {quoted}"
    assert "successfully booted" not in text


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() != 0, reason="running containerd needs root")
def test_daemon_starts_with_a_quoted_boolean_in_runc_options(tmp_path):
    """RCL315 in options: containerd starts (the options are decoded per sandbox)."""
    body = ('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n  runtime_type = "io.containerd.runc.v2"\n'
            '  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n    SystemdCgroup = "true"\n')
    text = run_daemon(tmp_path, body, "successfully booted")
    assert "successfully booted" in text and "failed to load plugin io.containerd.grpc.v1.cri" not in text
    cfg = load_containerd(str(tmp_path / "config.toml"), versions=["1.6"])
    [f] = [f for f in cfg.findings if f.code == "RCL315"]
    assert f.message == "runtime 'runc': `options.SystemdCgroup = \"true\"` is a string, the runc shim needs a boolean"
    assert cfg.views[0].failures == []


def _toml_key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"


def _toml_tables(d: dict, prefix: tuple = ()) -> list:
    out = []
    scalars = {k: v for k, v in d.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in d.items() if isinstance(v, dict)}
    if prefix and (scalars or not tables):
        out.append("[" + ".".join(_toml_key(p) for p in prefix) + "]")
    out.extend(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in scalars.items())
    for k, v in tables.items():
        out.extend(_toml_tables(v, prefix + (k,)))
    return out


def _corpus_without_imports():
    return [p for p in _corpus_v1_v2() if not tomllib.loads(p.read_text(encoding="utf-8")).get("imports")]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() != 0, reason="running containerd needs root")
@pytest.mark.parametrize("path", _corpus_without_imports() or [None], ids=lambda p: p.name if p else "missing")
def test_corpus_cri_plugin_loads_as_rclint_nodes_says(path, tmp_path):
    """The CRI table of each corpus config, run by the containerd 1.6 daemon in isolation: the CRI
    plugin loads exactly when `rclint nodes --format json` says so for containerd 1.6."""
    if path is None:
        pytest.skip(f"shared corpus not found at {SHARED}")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    cri = {k: v for k, v in (data.get("plugins") or {}).items() if k in ("cri", CRI)}
    for table in cri.values():  # base_runtime_spec names a file on the node, not on this host
        for runtime in (table.get("containerd", {}).get("runtimes") or {}).values():
            if isinstance(runtime, dict):
                runtime.pop("base_runtime_spec", None)
    body = "\n".join(_toml_tables({"plugins": cri})) + "\n"
    text = run_daemon(tmp_path, body, "io.containerd.grpc.v1.cri", version=data.get("version") or 1)
    assert "successfully booted" in text, text[-3000:]
    loads = "failed to load plugin io.containerd.grpc.v1.cri" not in text
    [pool] = _nodes_json(path)["pools"]
    [view] = [v for v in pool["views"] if "1.6" in v["versions"]]
    assert view["cri_plugin_loads"] == loads, (view["failures"], text[-2000:])
