"""rclint.runtimes.crio: crio.conf + crio.conf.d merging, default handler, RCL3xx findings."""

import os
from pathlib import Path

import pytest

from rclint.model import Span
from rclint.runtimes import find_crio_dropins, load_crio

SHARED = Path(os.environ.get("RCLINT_SHARED", Path(__file__).resolve().parents[2] / "shared"))
REAL = SHARED / "corpus" / "real" / "crio"


def need_shared():
    if not SHARED.is_dir():
        pytest.skip(f"shared corpus not found at {SHARED} (tests that read real configs need the reference corpus next to the repository)")


def name_only(p):
    return Path(p).name


def write(root: Path, files: dict) -> dict:
    out = {}
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.lstrip("\n"), encoding="utf-8")
        out[rel] = str(target)
    return out


def rel_display(root: Path):
    return lambda p: Path(p).resolve().relative_to(root.resolve()).as_posix()


def _real():
    if not REAL.is_dir():
        return []
    return sorted(p for p in REAL.rglob("*") if p.is_file())


@pytest.mark.parametrize("path", _real() or [None], ids=lambda p: p.name if p else "missing")
def test_every_real_crio_file_loads_as_main_and_as_dropin(path):
    need_shared()
    if path is None:
        pytest.fail("the reference corpus has no CRI-O configs")
    lines = path.read_text(encoding="utf-8").split("\n")
    for cfg in (load_crio(str(path), []), load_crio(None, [str(path)])):
        assert not [f for f in cfg.findings if f.code == "RCL002"]
        assert cfg.findings == []  # the real files are clean
        assert "crun" in cfg.handlers and cfg.default_handler in cfg.handlers
        assert cfg.config_version is None and cfg.semantics == "crio"
        for h in cfg.handlers.values():
            if not h.implicit:
                assert h.name in lines[h.span.line - 1]


def test_kios_only_crun():
    need_shared()
    cfg = load_crio(str(REAL / "kios-crio.conf"), [], display_path=name_only)
    assert list(cfg.handlers) == ["crun"]
    crun = cfg.handlers["crun"]
    assert not crun.implicit and crun.span == Span(381, 1, 381, 29)
    assert crun.runtime_path is None and crun.binary == "crun" and crun.kind == "runc"
    assert crun.privileged_without_host_devices is False
    assert cfg.default_handler == "crun" and not cfg.default_explicit
    assert cfg.cgroup_manager == "systemd" and cfg.cgroup_driver == "systemd" and cfg.cgroup_manager_span is None


def test_minikube_iso_runc_default_and_builtin_crun():
    need_shared()
    cfg = load_crio(str(REAL / "minikube-iso-crio.conf"), [], display_path=name_only)
    assert list(cfg.handlers) == ["crun", "runc"]
    assert cfg.handlers["crun"].implicit and cfg.handlers["crun"].path == "minikube-iso-crio.conf"
    assert cfg.handlers["runc"].span.line == 299 and cfg.handlers["runc"].runtime_path == "/usr/bin/runc"
    assert cfg.default_handler == "runc" and cfg.default_span == Span(266, 1, 266, 16)
    assert cfg.default_field == "crio.runtime.default_runtime"
    assert cfg.cgroup_manager_span == Span(144, 1, 144, 15) and cfg.cgroup_manager_path == "minikube-iso-crio.conf"
    # CRI-O 1.30 and older: the built-in default is runc
    old = load_crio(str(REAL / "minikube-iso-crio.conf"), [], crio_version="1.30.4")
    assert list(old.handlers) == ["runc"]


def test_dropin_defines_a_handler():
    need_shared()
    cfg = load_crio(
        str(REAL / "minikube-iso-crio.conf"),
        [str(REAL / "extracted" / "osc-50-kata-remote.conf")],
        display_path=name_only,
    )
    assert cfg.sources == ["minikube-iso-crio.conf", "osc-50-kata-remote.conf"]
    assert list(cfg.handlers) == ["crun", "runc", "kata-remote"]
    kata = cfg.handlers["kata-remote"]
    assert (kata.path, kata.span, kata.kind) == ("osc-50-kata-remote.conf", Span(1, 1, 1, 36), "vm")
    assert kata.crio_runtime_type == "vm" and kata.runtime_type == "vm"
    assert kata.binary == "/usr/bin/containerd-shim-kata-v2"
    assert kata.privileged_without_host_devices is True
    assert kata.key_span("runtime_config_path") == Span(5, 3, 5, 22)
    assert kata.field == "crio.runtime.runtimes.kata-remote"
    assert cfg.default_handler == "runc" and cfg.findings == []


def test_packaging_dropin_sets_crun_default():
    need_shared()
    cfg = load_crio(None, [str(REAL / "crio-packaging-10-crio.conf")], display_path=name_only)
    assert list(cfg.handlers) == ["crun", "runc"]
    assert not cfg.handlers["crun"].implicit
    assert cfg.handlers["crun"].runtime_path == "/usr/libexec/crio/crun"
    assert (cfg.default_handler, cfg.default_path, cfg.default_span.line) == ("crun", "crio-packaging-10-crio.conf", 5)


def test_dropins_merge_in_lexical_order_and_redefinition_replaces_the_table(tmp_path):
    paths = write(tmp_path, {
        "crio.conf": """
[crio.runtime]
default_runtime = "runc"
cgroup_manager = "cgroupfs"
[crio.runtime.runtimes.runc]
runtime_path = "/usr/bin/runc"
runtime_root = "/run/runc"
""",
        "crio.conf.d/20-runc.conf": """
[crio.runtime.runtimes.runc]
monitor_path = "/usr/libexec/crio/conmon"
""",
        "crio.conf.d/10-systemd.conf": """
[crio.runtime]
cgroup_manager = "systemd"
""",
    })
    dropins = [paths["crio.conf.d/20-runc.conf"], paths["crio.conf.d/10-systemd.conf"]]  # any order in
    cfg = load_crio(paths["crio.conf"], dropins, display_path=rel_display(tmp_path))
    assert cfg.sources == ["crio.conf", "crio.conf.d/10-systemd.conf", "crio.conf.d/20-runc.conf"]
    runc = cfg.handlers["runc"]
    assert runc.table == {"monitor_path": "/usr/libexec/crio/conmon"}
    assert runc.runtime_path is None and runc.binary == "runc"
    assert (runc.path, runc.span.line) == ("crio.conf.d/20-runc.conf", 1)
    # CRI-O rebuilds a redefined handler from the drop-in's table alone (cri-o/cri-o#8307)
    [f] = cfg.findings
    assert (f.code, f.path, f.span.line, f.span.column) == ("RCL317", "crio.conf.d/20-runc.conf", 1, 1)
    assert f.message == "handler 'runc' is rebuilt from this table alone; 2 keys set in crio.conf are lost"
    assert f.help == 'Repeat the handler\'s other keys here: runtime_path = "/usr/bin/runc", runtime_root = "/run/runc"'
    assert cfg.cgroup_manager == "systemd" and cfg.cgroup_manager_path == "crio.conf.d/10-systemd.conf"
    assert cfg.cgroup_driver_setting.span == Span(2, 1, 2, 15) and cfg.cgroup_driver_setting.explicit
    assert all(h.systemd_cgroup is True for h in cfg.handlers.values())


def test_default_runtime_without_table(tmp_path):
    paths = write(tmp_path, {"crio.conf.d/99-kata.conf": """
[crio.runtime]
  default_runtime = "kata"
[crio.runtime.runtimes.kata-qemu]
  runtime_path = "/opt/kata/bin/containerd-shim-kata-v2"
  runtime_type = "vm"
"""})
    cfg = load_crio(None, list(paths.values()), display_path=rel_display(tmp_path))
    [f] = cfg.findings
    assert (f.code, f.path, f.span, f.field) == ("RCL302", "crio.conf.d/99-kata.conf", Span(2, 3, 2, 18),
                                                "crio.runtime.default_runtime")
    assert "[crio.runtime.runtimes.kata] was found" in f.full_text() and "did you mean 'kata-qemu'?" in f.full_text()


def test_empty_default_runtime_means_builtin(tmp_path):
    paths = write(tmp_path, {"crio.conf": '[crio.runtime]\ndefault_runtime = ""\n'})
    cfg = load_crio(paths["crio.conf"], [])
    assert cfg.default_handler == "crun" and cfg.findings == [] and cfg.handlers["crun"].implicit


def test_invalid_handlers(tmp_path):
    paths = write(tmp_path, {"crio.conf": """
[crio.runtime.runtimes.bad-type]
runtime_type = "kata"
[crio.runtime.runtimes.oci-with-config]
runtime_path = "/usr/bin/runc"
runtime_config_path = "/etc/x.toml"
[crio.runtime.runtimes.vm-wrong-binary]
runtime_type = "vm"
runtime_path = "/usr/bin/kata-runtime"
[crio.runtime.runtimes.vm-no-path]
runtime_type = "vm"
[crio.runtime.runtimes.Kata_Remote]
runtime_type = "vm"
runtime_path = "/usr/bin/containerd-shim-kata-v2"
runtime_paht = "/x"
Runtime_Root = "/run/vc"
[crio.runtime.runtimes.pod-nosync]
runtime_type = "pod"
no_sync_log = true
"""})
    cfg = load_crio(paths["crio.conf"], [], display_path=rel_display(tmp_path))
    assert [(f.code, f.span.line, f.span.column) for f in cfg.findings] == [
        ("RCL305", 2, 1),   # runtime_type "kata"
        ("RCL305", 5, 1),   # runtime_config_path on an oci handler
        ("RCL305", 8, 1),   # vm handler whose binary is not containerd-shim-*
        ("RCL305", 9, 1),   # vm handler with empty path: the name is looked up, not a shim name (header)
        ("RCL306", 11, 1),
        ("RCL307", 14, 1),  # runtime_paht; Runtime_Root matches case-insensitively
        ("RCL305", 18, 1),  # no_sync_log on a pod handler
    ]
    messages = {f.span.line: f.full_text() for f in cfg.findings}
    assert "did you mean `runtime_path`?" in messages[14]
    assert "'kata-remote'" in messages[11]
    assert {f.span.line: f.message for f in cfg.findings}[8] == ("handler 'vm-wrong-binary': vm runtime_path 'kata-runtime' is not a containerd-shim-* "
                           "binary; CRI-O ignores the handler")
    # CRI-O drops the handlers that fail validation: a RuntimeClass naming one gets RCL102
    assert sorted(cfg.dropped_handlers) == ["bad-type", "oci-with-config", "pod-nosync", "vm-no-path",
                                            "vm-wrong-binary"]
    assert cfg.dropped_handlers["bad-type"][0] == 'invalid `runtime_type` "kata" for runtime "bad-type"'
    assert list(cfg.handlers) == ["crun", "Kata_Remote"] and cfg.handlers["Kata_Remote"].kind == "vm"


def test_syntax_error_in_dropin_is_reported_and_others_still_load(tmp_path):
    paths = write(tmp_path, {
        "crio.conf.d/10-bad.conf": "[crio.runtime.runtimes.x\n",
        "crio.conf.d/20-good.conf": '[crio.runtime.runtimes.runsc]\nruntime_path = "/usr/local/bin/runsc"\n',
    })
    cfg = load_crio(None, list(paths.values()), display_path=rel_display(tmp_path))
    assert [(f.code, f.path, f.span.line, f.span.column) for f in cfg.findings] == [
        ("RCL002", "crio.conf.d/10-bad.conf", 1, 25)
    ]
    assert cfg.broken_sources == ["crio.conf.d/10-bad.conf"]
    assert list(cfg.handlers) == ["crun", "runsc"] and cfg.handlers["runsc"].kind == "gvisor"


def test_inherit_default_runtime(tmp_path):
    paths = write(tmp_path, {"crio.conf": """
[crio.runtime]
default_runtime = "crun"
[crio.runtime.runtimes.crun]
runtime_path = "/usr/libexec/crio/crun"
[crio.runtime.runtimes.high-performance]
inherit_default_runtime = true
"""})
    cfg = load_crio(paths["crio.conf"], [])
    hp = cfg.handlers["high-performance"]
    assert hp.runtime_path == "/usr/libexec/crio/crun" and hp.kind == "runc" and cfg.findings == []


def test_find_crio_dropins_walks_recursively_without_suffix_filter(tmp_path):
    write(tmp_path, {"d/20-b.conf": "", "d/10-a": "", "d/sub/05.conf": "", "d/10-a.conf~": ""})
    found = [Path(p).relative_to(tmp_path).as_posix() for p in find_crio_dropins(str(tmp_path / "d"))]
    assert found == ["d/10-a", "d/10-a.conf~", "d/20-b.conf", "d/sub/05.conf"]


def test_misplaced_runtimes_table_is_noted(tmp_path):
    paths = write(tmp_path, {"crio.conf": '[crio.runtimes.kata]\nruntime_type = "vm"\n'})
    cfg = load_crio(paths["crio.conf"], [])
    assert list(cfg.handlers) == ["crun"]
    assert any("ignores [crio.runtimes.*] (kata)" in n for n in cfg.notes)
