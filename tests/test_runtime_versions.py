"""Scenarios for runtime versions and true outcomes: each builds a small tree, runs the engine and
asserts exact codes, positions and the parts of the finding (message, help, notes)."""

from __future__ import annotations

import pytest

from helpers import found, lint, write_files

from rclint.settings import ConfigError

V2 = 'plugins."io.containerd.grpc.v1.cri"'
V3 = 'plugins."io.containerd.cri.v1.runtime"'
OWN = ("RCL102", "RCL103", "RCL105", "RCL110", "RCL301", "RCL303", "RCL315", "RCL316")


def kata_config(version=3):
    base = V3 if version >= 3 else V2
    return (f'version = {version}\n[{base}.containerd.runtimes.kata]\n  runtime_type = "io.containerd.kata.v2"\n')


RUNC_ONLY = f'version = 3\n[{V3}.containerd.runtimes.runc]\n  runtime_type = "io.containerd.runc.v2"\n'
KATA_CLASS = "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: kata\nhandler: kata\n"
TAINT = {"key": "runtime", "value": "kata", "effect": "NoSchedule"}


def pools(*entries):
    return {"node-pool": list(entries)}


def kata_pool(**extra):
    return {"name": "kata", "labels": {"pool": "kata"}, "taints": [TAINT],
            "runtime-config": ["nodes/kata/etc/containerd/config.toml"], **extra}


def general_pool(**extra):
    return {"name": "general", "labels": {"pool": "general", "zone": "b"},
            "runtime-config": ["nodes/general/etc/containerd/config.toml"], **extra}


def tree(tmp_path, extra=None):
    files = {"kata.yaml": KATA_CLASS, "nodes/kata/etc/containerd/config.toml": kata_config(),
             "nodes/general/etc/containerd/config.toml": RUNC_ONLY}
    files.update(extra or {})
    write_files(tmp_path, files)


def by_code(result, code):
    return [f for f in result.findings if f.code == code]


def test_own_messages_fit_on_one_line(tmp_path):
    """Every message of the rules this file covers is one line of at most 120 characters."""
    tree(tmp_path)
    result = lint(tmp_path, config=pools(kata_pool(), general_pool()))
    assert result.findings
    for f in result.findings:
        if f.code in OWN:
            assert len(f.message) <= 120 and "\n" not in f.message, f.message


# --------------------------------------------------------------------------- true outcomes


def test_handler_only_on_tainted_nodes_sends_pods_to_nodes_without_it(tmp_path):
    """The scheduler does not look at handlers: with an untainted pool that lacks the handler, the
    pods are bound there and sit in ContainerCreating, they do not stay Pending. RCL103 reports the
    class although no pod uses it, and the fix selects the kata nodes as well as tolerating them."""
    tree(tmp_path)
    result = lint(tmp_path, select=["RCL103", "RCL105"], config=pools(kata_pool(), general_pool()))
    assert found(result) == [("kata.yaml", 5, 10, "RCL103"), ("kata.yaml", 5, 10, "RCL105")]
    [rcl105] = by_code(result, "RCL105")
    assert rcl105.message == ('RuntimeClass "kata": every node with handler "kata" has an untolerated taint; '
                              'pods go to 1 node pool without it')
    assert rcl105.help == ('Add to RuntimeClass "kata": scheduling: {nodeSelector: {"pool": "kata"}; '
                           'tolerations: [{key: runtime, operator: Equal, value: "kata", effect: NoSchedule}]}')
    assert any("ContainerCreating" in n and 'no runtime for "kata" is configured' in n for n in rcl105.notes)
    [rcl103] = by_code(result, "RCL103")
    assert rcl103.message == 'RuntimeClass "kata": its pods can be bound to 1 node pool without handler "kata"'
    assert rcl103.help == rcl105.help


def test_handler_only_on_tainted_nodes_and_no_other_feasible_node_stays_pending(tmp_path):
    tree(tmp_path)
    general = general_pool(taints=[{"key": "dedicated", "value": "batch", "effect": "NoSchedule"}])
    result = lint(tmp_path, select=["RCL103", "RCL105"], config=pools(kata_pool(), general))
    assert found(result) == [("kata.yaml", 5, 10, "RCL105")]
    [f] = result.findings
    assert f.message.endswith("has an untolerated taint; pods stay Pending")
    assert f.help == ('Add to RuntimeClass "kata": scheduling: {tolerations: [{key: runtime, operator: Equal, '
                      'value: "kata", effect: NoSchedule}]}')
    assert any("FailedScheduling" in n for n in f.notes)


def test_toleration_alone_still_lets_pods_land_on_general_nodes(tmp_path):
    """With the toleration but no nodeSelector, the pods may land on either pool: RCL103."""
    tolerating = KATA_CLASS + ("scheduling:\n  tolerations:\n"
                               "    - {key: runtime, operator: Equal, value: kata, effect: NoSchedule}\n")
    tree(tmp_path, {"kata.yaml": tolerating})
    result = lint(tmp_path, select=["RCL103", "RCL105"], config=pools(kata_pool(), general_pool()))
    assert found(result) == [("kata.yaml", 6, 1, "RCL103")]
    assert result.findings[0].help == 'Add to RuntimeClass "kata": scheduling: {nodeSelector: {"pool": "kata"}}'
    fixed = tolerating + "  nodeSelector: {pool: kata}\n"
    write_files(tmp_path, {"kata.yaml": fixed})
    assert found(lint(tmp_path, select=["RCL103", "RCL105"], config=pools(kata_pool(), general_pool()))) == []


POD_ZONE_B = """\
apiVersion: v1
kind: Pod
metadata:
  name: sandboxed
spec:
  runtimeClassName: kata
  nodeSelector: {zone: b}
  tolerations:
    - {key: runtime, operator: Exists}
  containers: [{name: app, image: busybox}]
"""


def test_pod_placement_outside_the_handler_nodes_binds_it_to_a_node_without_it(tmp_path):
    tree(tmp_path, {"pod.yaml": POD_ZONE_B})
    result = lint(tmp_path, select=["RCL110"], config=pools(kata_pool(), general_pool()))
    assert found(result) == [("pod.yaml", 6, 21, "RCL110")]
    [f] = result.findings
    assert f.message == ('Pod sandboxed: its placement rules out every node with handler "kata"; '
                         'it goes to 1 node pool without the handler')
    assert any("ContainerCreating" in n for n in f.notes)
    # the general config undeclared: a pool whose labels are unknown might take the pod
    result = lint(tmp_path, select=["RCL110"], config=pools(kata_pool()))
    assert [f.message.rsplit("; ", 1)[1] for f in result.findings] == [
        "it stays Pending unless one of 1 pool not judged takes it"]
    # without the general nodes no node is feasible: Pending
    import shutil

    shutil.rmtree(tmp_path / "nodes/general")
    result = lint(tmp_path, select=["RCL110"], config=pools(kata_pool()))
    assert [f.message.rsplit("; ", 1)[1] for f in result.findings] == ["it stays Pending"]


# --------------------------------------------------------------------------- declaring the version


def test_node_pool_and_default_version_keys(tmp_path):
    from pathlib import Path

    from rclint.settings import Settings, apply_config

    settings = Settings()
    apply_config(settings, {"containerd": "2", "crio": "1.30", "node-pool": [
        {"name": "a", "containerd": "1.7"}, {"name": "b", "containerd": "2.4.1"}, {"name": "c"}]}, Path("x/.rclint.toml"))
    assert settings.containerd_version == ("2.0", "2.1", "2.2", "2.3") and settings.crio_version == "1.30"
    assert [p.containerd for p in settings.node_pools] == [("1.7",), ("2.3",), None]
    for bad, text in (({"containerd": "1.5"}, "older than rclint models"), ({"containerd": "1.8"}, "no containerd 1.8"),
                      ({"containerd": "latest"}, "is not a containerd version"),
                      ({"node-pool": [{"name": "p", "crio": "one"}]}, "node-pool 'p': crio:")):
        with pytest.raises(ConfigError, match=text):
            apply_config(Settings(), bad, Path(".rclint.toml"))


def test_nodes_shows_the_versions_judged(tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner

    from rclint.cli import main

    monkeypatch.chdir(tmp_path)
    write_files(tmp_path, {
        ".rclint.toml": 'containerd = "2.1"\n[[node-pool]]\nname = "old"\ncontainerd = "1.7"\n'
                        'runtime-config = ["old/etc/containerd/config.toml"]\n',
        "old/etc/containerd/config.toml": kata_config(2),
        "new/etc/containerd/config.toml": kata_config(2),
    })
    r = CliRunner().invoke(main, ["nodes", "--format", "json"], catch_exceptions=False)
    doc = json.loads(r.stdout)
    got = {p["name"]: (p["runtime_versions"], [v["versions"] for v in p["views"]]) for p in doc["pools"]}
    assert got == {
        "old": ({"containerd": ["1.7"], "crio": None, "declared": True}, [["1.7"]]),
        "new/etc/containerd/config.toml": ({"containerd": ["2.1"], "crio": None, "declared": True}, [["2.1"]]),
    }
    text = CliRunner().invoke(main, ["nodes"], catch_exceptions=False).stdout
    assert "  runtime: containerd (config version 2); judged as containerd 1.7 (declared)" in text
    assert "  runtime: containerd (config version 2); judged as containerd 2.1 (declared)" in text


# --------------------------------------------------------------------------- 1: fatal 1.x settings


SYSTEMD_CGROUP_V2 = f"""\
version = 2
[{V2}]
  systemd_cgroup = true
[{V2}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
"""


@pytest.mark.parametrize("version, severity, message", [
    ("1.7", "error", "plugin-level `systemd_cgroup = true` stops the CRI plugin of containerd 1.7"),
    ("2.1", "warning", "plugin-level `systemd_cgroup = true` was removed in containerd 2.0"),
    (None, "error", "plugin-level `systemd_cgroup = true` stops the CRI plugin of containerd 1.6-1.7"),
])
def test_fatal_1x_setting_is_an_error_for_pools_on_1x(tmp_path, version, severity, message):
    write_files(tmp_path, {"node/etc/containerd/config.toml": SYSTEMD_CGROUP_V2})
    config = {"containerd": version} if version else None
    result = lint(tmp_path, select=["RCL303"], config=config)
    assert found(result) == [("node/etc/containerd/config.toml", 3, 3, "RCL303")]
    [f] = result.findings
    assert (f.severity.label, f.message) == (severity, message)
    assert f.help == "Set `SystemdCgroup = true` in each runc runtime's `options` table instead"
    if version is None:  # the 2.x consequence is kept as a note
        assert "containerd 2.0-2.3+: plugin-level `systemd_cgroup = true` was removed in containerd 2.0" in f.notes


# --------------------------------------------------------------------------- 3: migration by version


MAIN_V4 = f"""\
version = 4
imports = ["conf.d/*.toml"]
[{V3}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
"""
MAIN_V3 = MAIN_V4.replace("version = 4", "version = 3")
DROPIN_V2 = f'version = 2\n[{V2}.containerd.runtimes.kata]\n  runtime_type = "io.containerd.kata.v2"\n'


def test_version_2_dropin_under_version_4_main_is_read_by_23(tmp_path):
    write_files(tmp_path, {"kata.yaml": KATA_CLASS, "node/etc/containerd/config.toml": MAIN_V4,
                           "node/etc/containerd/conf.d/kata.toml": DROPIN_V2})
    result = lint(tmp_path, select=["RCL102", "RCL301", "RCL316"])
    assert found(result) == []
    [cfg] = result.inventory.runtime_configs
    assert cfg.versions == ("2.3",) and cfg.handlers["kata"].versions == ("2.3",)


def test_version_2_dropin_under_version_3_main_is_left_behind_by_20_to_22(tmp_path):
    """2.0-2.2 merge first (version 2 last, so the CRI migration runs once) and migrateConfig copies
    the v2 runtimes map only when there are no v3 runtimes: kata is lost there; 2.3+ reads it."""
    write_files(tmp_path, {"kata.yaml": KATA_CLASS, "node/etc/containerd/config.toml": MAIN_V3,
                           "node/etc/containerd/conf.d/kata.toml": DROPIN_V2})
    result = lint(tmp_path, select=["RCL102", "RCL301"])
    assert found(result) == [("kata.yaml", 5, 10, "RCL102"), ("node/etc/containerd/conf.d/kata.toml", 2, 1, "RCL301")]
    rcl102, rcl301 = sorted(result.findings, key=lambda f: f.code)
    assert rcl102.message == 'RuntimeClass "kata": handler "kata" is configured on no known node running containerd 2.0-2.2'
    assert rcl301.message == ("runtime 'kata' is under [io.containerd.grpc.v1.cri], which containerd 2.0-2.2 ignores "
                              "in this config (version = 2)")
    assert any("only when there are none" in n for n in rcl301.notes)


def test_versionless_file_with_the_v3_path_is_read_by_2x_only(tmp_path):
    """No more contradictory advice: declared 2.x reads it; declared 1.x is told where 1.x reads."""
    text = f'[{V3}.containerd.runtimes.kata]\n  runtime_type = "io.containerd.kata.v2"\n'
    write_files(tmp_path, {"kata.yaml": KATA_CLASS, "node/etc/containerd/config.toml": text})
    assert found(lint(tmp_path, select=["RCL102", "RCL301"], config={"containerd": "2.0"})) == []
    result = lint(tmp_path, select=["RCL102", "RCL301"], config={"containerd": "1.7"})
    assert found(result) == [("kata.yaml", 5, 10, "RCL102"), ("node/etc/containerd/config.toml", 1, 1, "RCL301")]
    rcl301 = next(f for f in result.findings if f.code == "RCL301")
    assert rcl301.message == ("runtime 'kata' is under [io.containerd.cri.v1.runtime], which containerd 1.7 ignores in "
                              "this config (no version)")
    assert rcl301.help.startswith(f"For containerd 1.x nodes move it to [{V2}.containerd.runtimes.kata]")
    # undeclared: 1.6-1.7 and 2.0-2.2 ignore it (2.0-2.2 never migrate a version-less file's CRI tables,
    # but this table needs no migration), so only 1.x is named
    result = lint(tmp_path, select=["RCL301"])
    assert [f.message.split("which ")[1] for f in result.findings] == [
        "containerd 1.6-1.7 ignores in this config (no version)"]


def test_version_3_on_containerd_17_is_refused(tmp_path):
    write_files(tmp_path, {"node/etc/containerd/config.toml": RUNC_ONLY})
    result = lint(tmp_path, select=["RCL316"], config={"containerd": "1.7"})
    assert found(result) == [("node/etc/containerd/config.toml", 1, 11, "RCL316")]
    [f] = result.findings
    assert f.message == "`version = 3` stops containerd 1.7: it reads config versions 1 and 2 only"
    assert "containerd 1.6.32+ and 1.7.17+ exit: `unsupported config version `3``" in f.notes


def test_version_2_file_under_declared_20_drops_nothing_and_keeps_runc(tmp_path):
    """2.0-2.2 keep the built-in runc and migrate a version 2 config (merged version 2)."""
    write_files(tmp_path, {"node/etc/containerd/config.toml": kata_config(2)})
    result = lint(tmp_path, select=["RCL3"], config={"containerd": "2.2"})
    assert found(result) == []
    [cfg] = result.inventory.runtime_configs
    assert list(cfg.handlers) == ["runc", "kata"]


# --------------------------------------------------------------------------- 4: wrong TOML types


def test_wrong_types_are_reported_at_the_value_with_the_runtimes_error(tmp_path):
    write_files(tmp_path, {
        "node/etc/containerd/config.toml": (
            f'version = 2\n[{V2}.containerd.runtimes.kata]\n  runtime_type = "io.containerd.kata.v2"\n'
            '  privileged_without_host_devices = "true"\n'),
        "crio/crio.conf.d/10-kata.conf": (
            '[crio.runtime]\ncgroup_manager = 1\n[crio.runtime.runtimes.kata]\nruntime_type = "vm"\n'
            'runtime_path = "/usr/bin/containerd-shim-kata-v2"\nprivileged_without_host_devices = "yes"\n'),
    })
    result = lint(tmp_path, select=["RCL315"], config={"containerd": "1.7"})
    assert found(result) == [("crio/crio.conf.d/10-kata.conf", 2, 18, "RCL315"),
                             ("crio/crio.conf.d/10-kata.conf", 6, 35, "RCL315"),
                             ("node/etc/containerd/config.toml", 4, 37, "RCL315")]
    crio_cm, crio_pwhd, ctd = sorted(result.findings, key=lambda f: (f.path, f.span.line))
    assert ctd.message == "runtime 'kata': `privileged_without_host_devices = \"true\"` is a string, containerd needs a boolean"
    assert ctd.help == "Write `privileged_without_host_devices = true`"
    assert ctd.notes[0] == "containerd 1.x (go-toml v1): `(4, 3): Can't convert true(string) to bool`"
    assert crio_pwhd.help == "Give `privileged_without_host_devices` a boolean value"
    assert crio_pwhd.notes == ('CRI-O refuses to start: `toml: line 6 (last key "crio.runtime.runtimes.kata.'
                               'privileged_without_host_devices"): incompatible types: TOML value has type string; '
                               'destination has type boolean`',)
    assert crio_cm.message == "[crio.runtime]: `cgroup_manager = 1` is an integer, CRI-O needs a string"
    # a 2.x pool gets the go-toml v2 wording
    result = lint(tmp_path, select=["RCL315"], config={"containerd": "2.1"})
    ctd = next(f for f in result.findings if f.path.startswith("node/"))
    assert ctd.notes[0] == "containerd 2.x (go-toml v2): `cannot decode TOML string into struct field ... of type bool`"


# --------------------------------------------------------------------------- 5, 6: CRI-O as it validates


CRIO_KATA = """\
[crio.runtime.runtimes.kata-fc]
runtime_path = "/opt/kata/bin/containerd-shim-kata-v2"
runtime_type = "vm"
"""
KATA_FC_CLASS = KATA_CLASS.replace("name: kata", "name: kata-fc").replace("handler: kata", "handler: kata-fc")


def test_dropin_rebuilds_a_redefined_handler_which_crio_then_drops(tmp_path):
    write_files(tmp_path, {
        "kata.yaml": KATA_FC_CLASS,
        "crio/crio.conf": CRIO_KATA,
        "crio/crio.conf.d/50-fc.conf": ('[crio.runtime.runtimes.kata-fc]\n'
                                        'runtime_config_path = "/opt/kata/share/defaults/kata-containers/fc.toml"\n'),
    })
    result = lint(tmp_path, select=["RCL102", "RCL305", "RCL317"])
    assert found(result) == [("crio/crio.conf.d/50-fc.conf", 1, 1, "RCL317"),
                             ("crio/crio.conf.d/50-fc.conf", 2, 1, "RCL305"),
                             ("kata.yaml", 5, 10, "RCL102")]
    rcl317 = next(f for f in result.findings if f.code == "RCL317")
    assert rcl317.message == "handler 'kata-fc' is rebuilt from this table alone; 2 keys set in crio.conf are lost"
    rcl305 = next(f for f in result.findings if f.code == "RCL305")
    assert rcl305.message == "handler 'kata-fc': runtime_config_path needs runtime_type = \"vm\"; CRI-O ignores the handler"
    rcl102 = next(f for f in result.findings if f.code == "RCL102")
    assert ('CRI-O ignores the [crio.runtime.runtimes.kata-fc] table: `Runtime handler "kata-fc" is being ignored due '
            "to: runtime_config_path can only be used with the 'vm' runtime type`") in rcl102.notes
    [cfg] = result.inventory.runtime_configs
    assert "kata-fc" not in cfg.handlers and "kata-fc" in cfg.dropped_handlers


def test_rebuilt_handler_is_not_listed_as_a_vm_handler(tmp_path):
    write_files(tmp_path, {"crio/crio.conf": CRIO_KATA,
                           "crio/crio.conf.d/50-fc.conf": "[crio.runtime.runtimes.kata-fc]\nruntime_root = \"/run/vc\"\n"})
    result = lint(tmp_path, select=["RCL317"])
    [cfg] = result.inventory.runtime_configs
    h = cfg.handlers["kata-fc"]
    assert (h.crio_runtime_type, h.runtime_path, h.kind) == ("oci", None, "unknown")


def test_invalid_default_handler_stops_crio(tmp_path):
    write_files(tmp_path, {"crio/crio.conf": '[crio.runtime]\ndefault_runtime = "kata"\n'
                                             '[crio.runtime.runtimes.kata]\nruntime_type = "kata"\n'})
    result = lint(tmp_path, select=["RCL305"])
    assert found(result) == [("crio/crio.conf", 4, 1, "RCL305")]
    [f] = result.findings
    assert f.message == "default handler 'kata': runtime_type 'kata' is not oci, vm or pod; CRI-O refuses to start"
    assert f.notes == ('`invalid `runtime_type` "kata" for runtime "kata"`',)
    [cfg] = result.inventory.runtime_configs
    assert "kata" in cfg.handlers and cfg.failures == ['invalid `runtime_type` "kata" for runtime "kata"']


@pytest.mark.parametrize("manager, value, error", [
    ("systemd", "conmon", "conmon cgroup should be 'pod' or a systemd slice"),
    ("cgroupfs", "system.slice.d", "cgroupfs manager conmon cgroup should be 'pod' or empty, but got: 'system.slice.d'"),
])
def test_monitor_and_conmon_cgroup_must_fit_the_cgroup_manager(tmp_path, manager, value, error):
    write_files(tmp_path, {"crio/crio.conf": (
        f'[crio.runtime]\ncgroup_manager = "{manager}"\n[crio.runtime.runtimes.crun]\n'
        f'runtime_path = "/usr/bin/crun"\nmonitor_cgroup = "{value}"\n')})
    result = lint(tmp_path, select=["RCL305"])
    assert found(result) == [("crio/crio.conf", 5, 1, "RCL305")]
    assert result.findings[0].notes == (f"`{error}`",)
    assert result.findings[0].message.endswith("CRI-O refuses to start")
    write_files(tmp_path, {"crio/crio.conf": f'[crio.runtime]\ncgroup_manager = "{manager}"\nconmon_cgroup = "{value}"\n'})
    result = lint(tmp_path, select=["RCL305"])
    assert found(result) == [("crio/crio.conf", 3, 1, "RCL305")]
    assert result.findings[0].message == (f"conmon_cgroup = {value!r} does not fit cgroup_manager {manager!r}; CRI-O "
                                          "refuses to start")
    for ok in ("pod", "system.slice" if manager == "systemd" else ""):
        write_files(tmp_path, {"crio/crio.conf": f'[crio.runtime]\ncgroup_manager = "{manager}"\nconmon_cgroup = "{ok}"\n'})
        assert found(lint(tmp_path, select=["RCL305"])) == []


# --------------------------------------------------------------------------- 7: the running version's words


def test_rcl102_quotes_the_error_of_the_version_the_pool_runs(tmp_path):
    write_files(tmp_path, {"kata.yaml": KATA_CLASS, "node/etc/containerd/config.toml": RUNC_ONLY.replace("3", "2")
                           .replace(V3, V2)})
    for version, present, absent in (("1.7", "failed to get sandbox runtime", "unable to get OCI runtime"),
                                     ("2.1", "unable to get OCI runtime for sandbox", "failed to get sandbox runtime")):
        [f] = lint(tmp_path, select=["RCL102"], config={"containerd": version}).findings
        assert f.message == 'RuntimeClass "kata": handler "kata" is configured on no known node'
        assert any(present in n for n in f.notes) and not any(absent in n for n in f.notes)


def test_relative_glob_import_note_is_dated(tmp_path):
    from rclint.runtimes import load_containerd

    write_files(tmp_path, {"etc/containerd/config.toml": 'version = 2\nimports = ["conf.d/*.toml"]\n'})
    cfg = load_containerd(str(tmp_path / "etc/containerd/config.toml"), versions=["1.7"])
    [note] = [n for n in cfg.notes if "relative glob" in n]
    assert "containerd 1.6.0-1.6.28 and 1.7.0-1.7.15 glob a relative pattern against their working directory" in note
    assert "as containerd 1.6.29+, 1.7.16+ and 2.x do" in note


def _own_examples():
    from rclint.catalog import load_catalog

    catalog = load_catalog()
    return [(code, i) for code in OWN + ("RCL317",) for i, ex in enumerate(catalog[code].examples) if ex.kind == "bad"]


@pytest.mark.parametrize("code, index", _own_examples())
def test_own_findings_have_the_new_shape_in_every_bad_example(tmp_path, code, index):
    from rclint.catalog import load_catalog

    example = load_catalog()[code].examples[index]
    write_files(tmp_path, example.files)
    result = lint(tmp_path, config=example.config or None)
    mine = [f for f in result.findings if f.code == code]
    assert mine
    for f in mine:
        assert len(f.message) <= 120 and "\n" not in f.message, f.message
        assert f.help, f.message
        assert f.notes, f.message


def test_declared_crio_version_decides_the_builtin_default(tmp_path):
    write_files(tmp_path, {"crio/crio.conf": "[crio.runtime]\n"})
    for version, builtin in (("1.30", "runc"), ("1.31", "crun")):
        result = lint(tmp_path, config={"crio": version})
        [cfg] = result.inventory.runtime_configs
        assert (cfg.default_handler, cfg.versions, cfg.versions_declared) == (builtin, (version,), True)


NODE = """\
apiVersion: v1
kind: Node
metadata:
  name: n1
status:
  nodeInfo: {containerRuntimeVersion: "RUNTIME"}
  runtimeHandlers:
    - name: runc
"""


@pytest.mark.parametrize("runtime, present, absent", [
    ("containerd://2.0.4", "unable to get OCI runtime for sandbox", "failed to get sandbox runtime"),
    ("containerd://1.7.22", "failed to get sandbox runtime", "unable to get OCI runtime"),
    ("cri-o://1.30.4", "failed to find runtime handler kata from runtime list", "no runtime for"),
])
def test_rcl102_on_node_objects_quotes_the_runtime_the_node_reports(tmp_path, runtime, present, absent):
    write_files(tmp_path, {"kata.yaml": KATA_CLASS, "node.yaml": NODE.replace("RUNTIME", runtime)})
    [f] = lint(tmp_path, select=["RCL102"]).findings
    assert any(present in n for n in f.notes) and not any(absent in n for n in f.notes), f.notes


def test_crio_before_121_refuses_to_start_on_any_invalid_handler(tmp_path):
    write_files(tmp_path, {"crio/crio.conf": '[crio.runtime.runtimes.kata]\nruntime_type = "kata"\n'})
    for version, ending in (("1.20", "CRI-O refuses to start"), ("1.21", "CRI-O ignores the handler")):
        result = lint(tmp_path, select=["RCL305"], config={"crio": version})
        [f] = result.findings
        assert f.message == f"handler 'kata': runtime_type 'kata' is not oci, vm or pod; {ending}"
        [cfg] = result.inventory.runtime_configs
        assert ("kata" in cfg.dropped_handlers) == (version == "1.21")
