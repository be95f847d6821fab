"""rclint.runtimes.containerd: handlers, defaults, imports and the RCL3xx findings, with exact spans."""

import os
from pathlib import Path

import pytest

from rclint.model import Severity, Span
from rclint.runtimes import load_containerd
from rclint.runtimes.containerd import detect_node_root, go_glob, runtime_kind, shim_binary

SHARED = Path(os.environ.get("RCLINT_SHARED", Path(__file__).resolve().parents[2] / "shared"))
REAL = SHARED / "corpus" / "real" / "containerd"
V2 = 'plugins."io.containerd.grpc.v1.cri"'
V3 = 'plugins."io.containerd.cri.v1.runtime"'


def need_shared():
    if not SHARED.is_dir():
        pytest.skip(f"shared corpus not found at {SHARED} (tests that read real configs need the reference corpus next to the repository)")


def real(name):
    need_shared()
    return load_containerd(str(REAL / name), display_path=lambda p: Path(p).name)


def write(root: Path, files: dict) -> Path:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.lstrip("\n"), encoding="utf-8")
    return root / next(iter(files))


def rel_display(root: Path):
    return lambda p: Path(p).resolve().relative_to(root.resolve()).as_posix()


def codes(cfg):
    return [(f.code, f.path, f.span.line, f.span.column) for f in cfg.findings]


# --------------------------------------------------------------------------- the real corpus


def _real_tomls():
    if not REAL.is_dir():
        return []
    return sorted(REAL.rglob("*.toml"))


@pytest.mark.parametrize("path", _real_tomls() or [None], ids=lambda p: p.name if p else "missing")
def test_every_real_config_loads_without_syntax_findings(path):
    need_shared()
    if path is None:
        pytest.fail("the reference corpus has no containerd configs")
    cfg = load_containerd(str(path))
    assert not [f for f in cfg.findings if f.code == "RCL002"]
    assert cfg.handlers and cfg.default_handler
    assert cfg.sources[0] == str(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    for f in cfg.findings:
        assert f.path == str(path)
        assert 1 <= f.span.line <= len(lines) and f.span.column >= 1
        assert f.field and f.severity is None
        assert f.code in {"RCL301", "RCL302", "RCL303", "RCL304", "RCL306", "RCL307", "RCL309", "RCL310"}
    for h in cfg.handlers.values():
        assert h.kind in {"runc", "vm", "gvisor", "windows", "wasm", "other", "unknown"}
        if not h.implicit:
            assert h.name in lines[h.span.line - 1]


def test_aks_nvidia_default():
    cfg = real("aks-agentbaker-gb200-nvidia-v2.toml")
    # version 2: judged as every line from 1.6 to 2.3+
    assert cfg.config_version == 2 and cfg.semantics == "containerd-1.x+2.x"
    assert cfg.versions == ("1.6", "1.7", "2.0", "2.1", "2.2", "2.3") and not cfg.versions_declared
    assert [v.semantics for v in cfg.views] == ["containerd-1.x", "containerd-2.x", "containerd-2.x"]
    assert list(cfg.handlers) == ["nvidia", "runc", "untrusted"]
    assert cfg.default_handler == "nvidia" and cfg.default_explicit
    assert (cfg.default_path, cfg.default_span) == ("aks-agentbaker-gb200-nvidia-v2.toml", Span(13, 5, 13, 25))
    assert cfg.default_field == f"{V2}.containerd.default_runtime_name"
    nvidia = cfg.handlers["nvidia"]
    assert (nvidia.kind, nvidia.runtime_type, nvidia.span.line, nvidia.span.column) == ("runc", "io.containerd.runc.v2", 17, 9)
    assert nvidia.options == {"BinaryName": "/usr/bin/nvidia-container-runtime"}
    assert nvidia.field == f"{V2}.containerd.runtimes.nvidia"
    assert nvidia.key_span("options.BinaryName") == Span(21, 13, 21, 23)
    assert cfg.findings == []
    # no SystemdCgroup anywhere: the default handler decides, cgroupfs
    assert cfg.cgroup_driver == "cgroupfs"
    assert cfg.cgroup_driver_setting.handler == "nvidia" and not cfg.cgroup_driver_setting.explicit


def test_kind_test_handler():
    cfg = real("kind-base-v2.toml")
    assert list(cfg.handlers) == ["runc", "test-handler"]
    th = cfg.handlers["test-handler"]
    assert (th.span.line, th.span.column, th.kind, th.implicit) == (28, 1, "runc", False)
    assert th.systemd_cgroup is True and th.key_span("options.SystemdCgroup") == Span(33, 5, 33, 18)
    assert cfg.default_handler == "runc" and cfg.default_span.line == 16
    assert cfg.cgroup_driver == "systemd" and not cfg.runc_handlers_disagree()
    assert cfg.findings == []


def test_kind_2019_version1_default_runtime_table():
    need_shared()
    cfg = load_containerd(str(REAL / "kind-base-2019-v1.toml"), display_path=lambda p: Path(p).name, semantics="1.x")
    # containerd 1.x: a non-empty default_runtime becomes the runtime "default" and the default name
    assert list(cfg.handlers) == ["test-handler", "default"]
    assert cfg.default_handler == "default"
    assert cfg.handlers["test-handler"].span == Span(10, 1, 10, 47)
    assert [(f.code, f.span, f.field) for f in cfg.findings] == [
        ("RCL303", Span(5, 1, 5, 41), "plugins.cri.containerd.default_runtime")
    ]
    assert any("drops its built-in `runc`" in n for n in cfg.notes)


def test_v3_extract_default_crun():
    cfg = real("extracted/containerd-docs-cri-config-md-L93-107-runtimes-v3.toml")
    assert cfg.config_version == 3 and cfg.semantics == "containerd-2.x"
    assert cfg.default_handler == "crun" and cfg.default_span == Span(3, 3, 3, 23)
    assert list(cfg.handlers) == ["runc", "crun", "gvisor", "kata"]
    assert cfg.handlers["runc"].implicit and cfg.handlers["runc"].runtime_type == "io.containerd.runc.v2"
    assert {n: h.kind for n, h in cfg.handlers.items()} == {"runc": "runc", "crun": "runc", "gvisor": "gvisor", "kata": "vm"}
    assert cfg.handlers["kata"].span == Span(14, 5, 14, 70)
    assert cfg.handlers["kata"].binary == "containerd-shim-kata-v2"
    assert cfg.handlers["crun"].options == {"BinaryName": "/usr/local/bin/crun"}
    assert cfg.findings == []
    assert cfg.cgroup_driver == "cgroupfs" and cfg.cgroup_driver_setting.handler == "crun"


def test_tuttlebr_has_no_runc():
    cfg = real("tuttlebr-nvidia-default-v2.toml")
    assert list(cfg.handlers) == ["nvidia", "nvidia-cdi", "nvidia-experimental", "nvidia-legacy", "runc"]
    assert cfg.handlers["runc"].versions == ("2.0", "2.1", "2.2", "2.3")  # containerd 2.x keeps its built-in runc
    assert cfg.handlers["nvidia"].versions == ("1.6", "1.7", "2.0", "2.1", "2.2", "2.3")
    assert cfg.default_handler == "nvidia" and cfg.findings == []


def test_minimal_config_has_only_the_implicit_runc():
    cfg = real("containerd-cri-in-userns-minimal-v2.toml")
    runc = cfg.handlers["runc"]
    assert list(cfg.handlers) == ["runc"] and runc.implicit
    assert (runc.path, runc.span) == ("containerd-cri-in-userns-minimal-v2.toml", Span(1, 1))
    assert cfg.default_handler == "runc" and not cfg.default_explicit


def test_misspelled_privileged_without_host_device():
    cfg = real("aero-faas-kata-fc-v2.toml")
    assert list(cfg.handlers) == ["kata-fc", "runc"]
    assert cfg.handlers["kata-fc"].kind == "vm"
    assert cfg.handlers["kata-fc"].privileged_without_host_devices is None
    [f] = cfg.findings
    assert (f.code, f.span, f.path) == ("RCL307", Span(116, 11, 116, 41), "aero-faas-kata-fc-v2.toml")
    assert f.field == f"{V2}.containerd.runtimes.kata-fc.privileged_without_host_device"
    assert "did you mean `privileged_without_host_devices`?" in f.full_text()


def test_removed_runtime_v1_linux():
    cfg = real("nvidia-ctk-test-config_v1.toml")
    assert [(f.code, f.span.line, f.span.column, f.field) for f in cfg.findings] == [
        ("RCL303", 50, 7, "plugins.cri.containerd.default_runtime"),
        ("RCL303", 53, 9, "plugins.cri.containerd.default_runtime.runtime_type"),
    ]
    assert "io.containerd.runtime.v1.linux" in cfg.findings[1].message
    assert all(f.severity is None for f in cfg.findings)
    assert cfg.handlers["default"].kind == "runc"


def test_removed_runc_v1():
    cfg = real("nvidia-ctk-test-config_v2.toml")
    assert [(f.code, f.span.line, f.span.column) for f in cfg.findings] == [("RCL303", 81, 11)]
    assert 'runtime_type = "io.containerd.runc.v1"' in cfg.findings[0].message


def test_fragment_with_v2_path_and_no_version():
    cfg = real("voor-nvidia-fragment.toml")
    # only containerd 2.3+ migrates a version-less file's full-ID CRI tables
    assert list(cfg.handlers) == ["runc", "nvidia"] and cfg.handlers["runc"].implicit
    assert cfg.handlers["nvidia"].versions == ("2.3",)
    f = cfg.findings[0]
    assert (f.code, f.span) == ("RCL301", Span(1, 5, 1, 69))
    assert f.field == f"{V2}.containerd.runtimes.nvidia"
    assert f.message == ("runtime 'nvidia' is under [io.containerd.grpc.v1.cri], which containerd 1.6-2.2 ignores in "
                         "this config (no version)")
    assert f.help == "Add `version = 2` at the top of the main config"


# --------------------------------------------------------------------------- synthetic configs


def test_v3_config_with_runtime_under_v2_plugin_path(tmp_path):
    path = write(tmp_path, {"config.toml": """
version = 3
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc]
  runtime_type = "io.containerd.runsc.v1"
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.kata]
  runtime_type = "io.containerd.kata.v2"
"""})
    cfg = load_containerd(str(path), display_path=rel_display(tmp_path))
    # 2.0-2.2 never migrate a version 3 file; 2.3+ migrates it, but migrateConfig copies the v2
    # `runtimes` map only when the file has no v3 one
    assert list(cfg.handlers) == ["runc", "kata"]
    [f] = cfg.findings
    assert (f.code, f.path, f.span) == ("RCL301", "config.toml", Span(2, 1, 2, 64))
    assert f.field == f"{V2}.containerd.runtimes.runsc"
    assert f.message == ("runtime 'runsc' is under [io.containerd.grpc.v1.cri], which containerd 2.0-2.3+ ignores in "
                         "this config (version = 3)")
    assert f.help == "Move it to [plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.runsc]"
    assert any("2.0-2.2 migrate io.containerd.grpc.v1.cri tables only when" in n for n in f.notes)
    assert any("only when there are none" in n for n in f.notes)


def test_v3_path_in_v2_file(tmp_path):
    path = write(tmp_path, {"config.toml": """
version = 2
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.kata]
  runtime_type = "io.containerd.kata.v2"
"""})
    cfg = load_containerd(str(path), display_path=rel_display(tmp_path), semantics="1.x")
    assert list(cfg.handlers) == ["runc"]
    assert codes(cfg) == [("RCL301", "config.toml", 2, 1)]
    # containerd 2.x reads io.containerd.cri.v1.runtime whatever the version
    assert list(load_containerd(str(path), semantics="2.x").handlers) == ["runc", "kata"]


def test_short_cri_id_in_v2_file_stops_containerd(tmp_path):
    path = write(tmp_path, {"config.toml": 'version = 2\n[plugins.cri.containerd.runtimes.kata]\nruntime_type = "io.containerd.kata.v2"\n'})
    cfg = load_containerd(str(path), display_path=rel_display(tmp_path))
    assert codes(cfg) == [("RCL301", "config.toml", 2, 1)]
    assert any("invalid plugin key URI" in n for n in cfg.findings[0].notes)


def test_kata_only_v2_loses_runc_but_v3_keeps_it(tmp_path):
    v2 = write(tmp_path / "v2", {"config.toml": """
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]
  runtime_type = "io.containerd.kata.v2"
"""})
    cfg = load_containerd(str(v2), display_path=rel_display(tmp_path / "v2"), semantics="1.x")
    assert list(cfg.handlers) == ["kata"] and cfg.default_handler == "runc"
    [f] = cfg.findings
    assert (f.code, f.span) == ("RCL302", Span(2, 49, 2, 57))  # the `runtimes` part of the header
    assert f.field == f"{V2}.containerd.default_runtime_name"
    assert "containerd 2.x keeps the built-in runc" in f.full_text()
    v3 = write(tmp_path / "v3", {"config.toml": """
version = 3
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.kata]
  runtime_type = "io.containerd.kata.v2"
"""})
    cfg3 = load_containerd(str(v3))
    assert list(cfg3.handlers) == ["runc", "kata"] and cfg3.handlers["runc"].implicit
    assert cfg3.findings == []


def test_explicit_default_names_missing_runtime(tmp_path):
    path = write(tmp_path, {"config.toml": """
version = 3
[plugins."io.containerd.cri.v1.runtime".containerd]
  default_runtime_name = "kata-qemu"
  [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.kata-qmeu]
    runtime_type = "io.containerd.kata-qemu.v2"
"""})
    cfg = load_containerd(str(path))
    [f] = cfg.findings
    assert (f.code, f.span) == ("RCL302", Span(3, 3, 3, 23))
    assert "did you mean 'kata-qmeu'?" in f.full_text()


def test_runc_options_only_in_v2_has_no_runtime_type(tmp_path):
    path = write(tmp_path, {"config.toml": """
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true
"""})
    cfg = load_containerd(str(path), semantics="1.x")
    assert cfg.handlers["runc"].runtime_type is None and cfg.handlers["runc"].kind == "unknown"
    assert [(f.code, f.span) for f in cfg.findings] == [("RCL304", Span(2, 58, 2, 62))]
    assert "containerd 2.x would keep it" in cfg.findings[0].full_text()
    # containerd 2.x semantics: the built-in runc entry is merged, runtime_type kept
    cfg2 = load_containerd(str(path), semantics="2.x")
    assert cfg2.handlers["runc"].runtime_type == "io.containerd.runc.v2"
    assert cfg2.handlers["runc"].systemd_cgroup is True and cfg2.findings == []


def test_removed_settings_are_errors_in_v3(tmp_path):
    path = write(tmp_path, {"config.toml": """
version = 3
[plugins."io.containerd.cri.v1.runtime"]
  systemd_cgroup = false
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nvidia]
  runtime_type = "io.containerd.runtime.v1.linux"
  runtime_engine = "/usr/bin/nvidia-container-runtime"
  runtime_root = ""
"""})
    cfg = load_containerd(str(path))
    assert [(f.code, f.span.line, f.span.column, f.severity) for f in cfg.findings] == [
        ("RCL303", 3, 3, Severity.ERROR),
        ("RCL303", 5, 3, Severity.ERROR),
        ("RCL303", 6, 3, Severity.ERROR),
        ("RCL303", 7, 3, Severity.ERROR),
    ]
    assert [f.message for f in cfg.findings] == [
        "plugin-level `systemd_cgroup = false` was removed in containerd 2.0",
        "runtime_type = \"io.containerd.runtime.v1.linux\" (runtime 'nvidia') was removed in containerd 2.0",
        "`runtime_engine` (runtime 'nvidia') was removed in containerd 2.0",
        "`runtime_root` (runtime 'nvidia') was removed in containerd 2.0",
    ]
    assert all("containerd 2.x ignores it" in f.notes[0] for f in cfg.findings)
    assert cfg.findings[1].field == f"{V3}.containerd.runtimes.nvidia.runtime_type"


def test_removed_settings_are_warnings_in_v2_and_empty_defaults_are_quiet(tmp_path):
    path = write(tmp_path, {"config.toml": """
version = 2
[plugins."io.containerd.grpc.v1.cri"]
  systemd_cgroup = true
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
  runtime_engine = ""
  runtime_root = "/run/x"
"""})
    # fatal on containerd 1.x (ValidatePluginConfig): errors for pools that may run 1.x
    cfg = load_containerd(str(path), semantics="1.x")
    assert [(f.code, f.span.line, f.severity) for f in cfg.findings] == [
        ("RCL303", 3, Severity.ERROR), ("RCL303", 7, Severity.ERROR)]
    assert cfg.findings[0].message == "plugin-level `systemd_cgroup = true` stops the CRI plugin of containerd 1.6-1.7"
    assert ("`failed to load plugin io.containerd.grpc.v1.cri` error=\"invalid plugin config: `runtime_root` only "
            "works for runtime io.containerd.runtime.v1.linux\"") in cfg.findings[1].notes
    assert [v.failures for v in cfg.views] == [[
        "`systemd_cgroup` only works for runtime io.containerd.runtime.v1.linux",
        "`runtime_root` only works for runtime io.containerd.runtime.v1.linux"]]
    # on containerd 2.x the keys are only gone: the removal warning
    cfg2 = load_containerd(str(path), semantics="2.x")
    assert [(f.code, f.span.line, f.severity) for f in cfg2.findings] == [("RCL303", 3, None), ("RCL303", 7, None)]
    assert cfg2.findings[0].message == "plugin-level `systemd_cgroup = true` was removed in containerd 2.0"


def test_invalid_runtimes(tmp_path):
    path = write(tmp_path, {"config.toml": """
version = 3
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.nokind]
  pod_annotations = ["x"]
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.plain]
  runtime_type = "runc"
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.relpath]
  runtime_type = "io.containerd.kata.v2"
  runtime_path = "bin/containerd-shim-kata-v2"
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.abs]
  runtime_type = "/opt/bin/containerd-shim-foo-v2"
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes."Kata.QEMU"]
  runtime_type = "io.containerd.kata-qemu.v2"
  privileged_without_host_devices_all_devices_allowed = true
  runtime_paht = "/opt/x"
  [plugins."io.containerd.cri.v1.runtime".containerd.runtimes."Kata.QEMU".options]
    systemd_cgroup = true
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.crun]
  runtime_type = "io.containerd.runc.v2"
  sandbox_mode = "podsandbox"
  [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.crun.options]
    systemd_cgroup = true
    binaryname = "/usr/bin/crun"
"""})
    cfg = load_containerd(str(path))
    got = [(f.code, f.span.line, f.span.column) for f in cfg.findings]
    assert got == [
        ("RCL304", 2, 1),   # nokind: no runtime_type -> table header
        ("RCL304", 5, 3),   # "runc" is not a shim name
        ("RCL304", 8, 3),   # relative runtime_path
        ("RCL306", 11, 1),  # "Kata.QEMU" is not a DNS label
        ("RCL307", 14, 3),  # runtime_paht
        ("RCL310", 13, 3),
        ("RCL307", 19, 3),  # sandbox_mode in a v3 file
        ("RCL307", 21, 5),  # systemd_cgroup under runc options
    ]
    by_line = {f.span.line: f for f in cfg.findings}
    assert "did you mean `runtime_path`?" in by_line[14].full_text()
    assert "did you mean `sandboxer`?" in by_line[19].full_text()
    assert "did you mean `SystemdCgroup`?" in by_line[21].full_text()
    assert "'kata-qemu'" in by_line[11].full_text()
    # go-toml v2 matches `binaryname` to BinaryName case-insensitively: not reported
    assert 22 not in by_line
    assert cfg.handlers["abs"].binary == "/opt/bin/containerd-shim-foo-v2"
    assert cfg.handlers["Kata.QEMU"].kind == "vm"
    # the `options` of a non-runc runtime are free-form: systemd_cgroup there is not a runc option
    assert not any(f.field.endswith("Kata.QEMU\".options.systemd_cgroup") for f in cfg.findings)


def test_valid_shim_names_are_quiet(tmp_path):
    path = write(tmp_path, {"config.toml": """
version = 3
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.fc]
  runtime_type = "aws.firecracker"
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.spin]
  runtime_type = "io.containerd.spin-v0-3-0.v1"
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.bad]
  runtime_type = ".kata.v2"
"""})
    cfg = load_containerd(str(path))
    assert [(f.code, f.span.line) for f in cfg.findings] == [("RCL304", 7)]
    assert cfg.handlers["fc"].kind == "vm" and cfg.handlers["fc"].binary == "containerd-shim-aws-firecracker"
    assert cfg.handlers["spin"].kind == "wasm"


def test_option_name_case_differs_between_1x_and_2x(tmp_path):
    body = """
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
    systemdcgroup = true
    Binaryname = "/usr/bin/runc"
"""
    path = write(tmp_path, {"config.toml": "version = 2\n" + body.lstrip("\n")})
    cfg = load_containerd(str(path))
    assert [(f.code, f.span.line) for f in cfg.findings] == [("RCL307", 6)]
    assert "all-lowercase" in cfg.findings[0].full_text()
    assert cfg.handlers["runc"].systemd_cgroup is True
    assert load_containerd(str(path), semantics="2.x").findings == []


def test_privileged_all_devices_ok_when_both_set(tmp_path):
    path = write(tmp_path, {"config.toml": """
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
  privileged_without_host_devices = true
  privileged_without_host_devices_all_devices_allowed = true
"""})
    cfg = load_containerd(str(path))
    assert cfg.findings == [] and cfg.handlers["runc"].privileged_without_host_devices is True


# --------------------------------------------------------------------------- imports


def test_handler_defined_only_in_imported_file_absolute_glob_in_node_tree(tmp_path):
    node = tmp_path / "node1"
    main = write(node, {
        "etc/containerd/config.toml": """
version = 3
imports = ["/etc/containerd/conf.d/*.toml"]
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
  SystemdCgroup = true
""",
        "etc/containerd/conf.d/50-kata.toml": """
version = 3
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.kata-qemu]
  runtime_type = "io.containerd.kata-qemu.v2"
  privileged_without_host_devices = true
""",
        "etc/containerd/conf.d/README": "not toml, not matched",
    })
    cfg = load_containerd(str(main), display_path=rel_display(tmp_path))
    assert cfg.node_root == str(node)
    assert cfg.sources == ["node1/etc/containerd/config.toml", "node1/etc/containerd/conf.d/50-kata.toml"]
    assert list(cfg.handlers) == ["runc", "kata-qemu"]
    kata = cfg.handlers["kata-qemu"]
    assert (kata.path, kata.span.line, kata.span.column) == ("node1/etc/containerd/conf.d/50-kata.toml", 2, 1)
    assert kata.kind == "vm" and kata.privileged_without_host_devices is True
    assert kata.key_path("runtime_type") == "node1/etc/containerd/conf.d/50-kata.toml"
    assert cfg.handlers["runc"].path == "node1/etc/containerd/config.toml" and cfg.handlers["runc"].systemd_cgroup
    assert cfg.findings == []


def test_v2_import_with_cri_tables_replaces_main_section(tmp_path):
    node = tmp_path / "n"
    main = write(node, {
        "etc/containerd/config.toml": """
version = 2
imports = ["/etc/containerd/conf.d/*.toml"]
[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = "runc"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
      SystemdCgroup = true
""",
        "etc/containerd/conf.d/99-nvidia.toml": """
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia]
  runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nvidia.options]
    BinaryName = "/usr/bin/nvidia-container-runtime"
""",
    })
    cfg = load_containerd(str(main), display_path=rel_display(node), semantics="1.x")
    assert list(cfg.handlers) == ["nvidia"]
    assert codes(cfg) == [
        ("RCL309", "etc/containerd/config.toml", 2, 12),
        ("RCL302", "etc/containerd/conf.d/99-nvidia.toml", 2, 49),
    ]
    rcl309 = cfg.findings[0]
    assert rcl309.field == "imports"
    assert "drops runtime runc" in rcl309.full_text() and "containerd.default_runtime_name" in rcl309.full_text()
    assert "see RCL309" in cfg.findings[1].full_text()
    assert cfg.cgroup_driver == "cgroupfs"  # SystemdCgroup went with the replaced section
    assert any("containerd 2.x would merge" in n for n in cfg.notes)


def test_relative_imports_resolve_against_the_importing_file(tmp_path):
    main = write(tmp_path, {
        "cfg/config.toml": 'version = 2\nimports = ["conf.d/*.toml", "../shared/base.toml"]\n',
        "cfg/conf.d/10.toml": 'version = 2\nimports = ["../../shared/nested.toml"]\n',
        "shared/nested.toml": """
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.gvisor]
  runtime_type = "io.containerd.runsc.v1"
""",
        "shared/base.toml": "version = 2\noom_score = -999\n",
    })
    cfg = load_containerd(str(main), display_path=rel_display(tmp_path))
    # breadth first: main, its imports in order, then theirs
    assert cfg.sources == ["cfg/config.toml", "cfg/conf.d/10.toml", "shared/base.toml", "shared/nested.toml"]
    assert list(cfg.handlers) == ["runc", "gvisor"]
    assert cfg.handlers["gvisor"].path == "shared/nested.toml" and cfg.handlers["gvisor"].kind == "gvisor"
    assert cfg.node_root is None
    assert any("relative glob import 'conf.d/*.toml'" in n and "working directory" in n for n in cfg.notes)


def test_missing_import_and_unfollowed_absolute_import(tmp_path):
    main = write(tmp_path, {"config.toml": 'version = 2\nimports = ["missing.toml", "/etc/containerd/conf.d/*.toml"]\n'})
    cfg = load_containerd(str(main), display_path=rel_display(tmp_path))
    assert cfg.sources == ["config.toml"] and list(cfg.handlers) == ["runc"]
    assert cfg.missing_imports == [("missing.toml", "missing.toml", "config.toml", Span(2, 12, 2, 26))]
    assert any("absolute import '/etc/containerd/conf.d/*.toml' was not followed" in n for n in cfg.notes)
    # the missing non-glob import stops containerd: RCL311 at the import string, handlers unknown
    assert [(f.code, f.path, f.span.line, f.span.column) for f in cfg.findings] == [("RCL311", "config.toml", 2, 12)]
    assert "refuses to start" in cfg.findings[0].notes[0]
    assert cfg.handlers_unknown == "import 'missing.toml' could not be read"


def test_syntax_error_in_an_import_is_reported_there_and_loading_continues(tmp_path):
    main = write(tmp_path, {
        "config.toml": """
version = 3
imports = ["bad.toml", "good.toml"]
""",
        "bad.toml": 'version = 3\n[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.x]\nruntime_type = = 1\n',
        "good.toml": """
version = 3
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.wasm]
  runtime_type = "io.containerd.wasmtime.v1"
""",
    })
    cfg = load_containerd(str(main), display_path=rel_display(tmp_path))
    assert codes(cfg) == [("RCL002", "bad.toml", 3, 16)]
    assert list(cfg.handlers) == ["runc", "wasm"] and cfg.handlers["wasm"].kind == "wasm"
    assert cfg.broken_sources == ["bad.toml"]
    assert cfg.sources == ["config.toml", "bad.toml", "good.toml"]


def test_syntax_error_in_main_file(tmp_path):
    main = write(tmp_path, {"config.toml": "version = 2\n[plugins\n"})
    cfg = load_containerd(str(main), display_path=rel_display(tmp_path))
    assert [(f.code, f.span.line, f.span.column) for f in cfg.findings] == [("RCL002", 2, 9)]
    assert list(cfg.handlers) == ["runc"] and cfg.handlers["runc"].implicit


def test_v3_imports_deep_merge_and_later_file_wins_scalars(tmp_path):
    main = write(tmp_path, {
        "config.toml": """
version = 3
imports = ["d.toml"]
[plugins."io.containerd.cri.v1.runtime".containerd]
  default_runtime_name = "runc"
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.kata]
  runtime_type = "io.containerd.kata.v2"
  pod_annotations = ["a"]
""",
        "d.toml": """
version = 3
[plugins."io.containerd.cri.v1.runtime".containerd]
  default_runtime_name = "kata"
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.kata]
  pod_annotations = ["b"]
""",
    })
    cfg = load_containerd(str(main), display_path=rel_display(tmp_path))
    assert cfg.default_handler == "kata" and cfg.default_path == "d.toml" and cfg.default_span.line == 3
    kata = cfg.handlers["kata"]
    assert kata.runtime_type == "io.containerd.kata.v2" and kata.table["pod_annotations"] == ["b"]
    assert kata.key_path("runtime_type") == "config.toml" and kata.key_path("pod_annotations") == "d.toml"
    assert cfg.findings == []


# --------------------------------------------------------------------------- helpers


def test_helpers():
    assert detect_node_root("/x/node/etc/containerd/config.toml") == "/x/node"
    assert detect_node_root("/etc/containerd/config.toml") == "/"
    assert detect_node_root("etc/containerd/config.toml") == "."
    assert detect_node_root("/x/config.toml") is None
    assert runtime_kind("io.containerd.runhcs.v1") == "windows"
    assert runtime_kind("io.containerd.spin.v2") == "wasm"
    assert runtime_kind("aws.firecracker") == "vm"
    assert runtime_kind("io.containerd.zeropod.v2") == "other"
    assert runtime_kind(None) == "unknown"
    assert shim_binary("io.containerd.kata-qemu.v2", None) == "containerd-shim-kata-qemu-v2"
    assert shim_binary("io.containerd.kata.v2", "/opt/kata/bin/containerd-shim-kata-v2") == "/opt/kata/bin/containerd-shim-kata-v2"
    assert shim_binary("runc", None) is None


def test_go_glob_matches_hidden_files_in_sorted_order(tmp_path):
    for name in ["b.toml", "a.toml", ".hidden.toml", "c.txt"]:
        (tmp_path / name).write_text("")
    assert [Path(p).name for p in go_glob(str(tmp_path / "*.toml"))] == [".hidden.toml", "a.toml", "b.toml"]
