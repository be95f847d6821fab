"""End-to-end scenarios through the engine: manifests and node runtime configs linted together.

Each test writes a small tree (a mirrored node tree where it matters), runs the engine the way
`rclint check` does, and asserts the exact (path, line, column, code) of every finding.
"""

from __future__ import annotations

from helpers import found, lint, write_files

from rclint.checks.nodes import NO_NODE_SOURCE

V2 = 'plugins."io.containerd.grpc.v1.cri"'
V3 = 'plugins."io.containerd.cri.v1.runtime"'

GVISOR = """\
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: gvisor
handler: runsc
---
apiVersion: v1
kind: Pod
metadata:
  name: sandboxed
spec:
  runtimeClassName: gvisor
  containers:
    - name: app
      image: nginx
"""

# version 3 (containerd 2.x), but the gVisor runtime sits under the version 2 CRI plugin path
V3_WITH_V2_TABLE = """\
version = 3

[plugins."io.containerd.cri.v1.runtime".containerd]
  default_runtime_name = "runc"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc]
  runtime_type = "io.containerd.runsc.v1"
"""


def test_v3_config_with_v2_table_reports_rcl301_and_rcl102(tmp_path):
    """containerd 2.0-2.2 never migrate a version 3 file; 2.3+ migrates each file before merging
    (LoadConfigWithPlugins), so the table is read there: both findings name 2.0-2.2."""
    write_files(tmp_path, {"gvisor.yaml": GVISOR, "node/etc/containerd/config.toml": V3_WITH_V2_TABLE})
    result = lint(tmp_path, select=["RCL102", "RCL301"])
    assert found(result) == [
        ("gvisor.yaml", 5, 10, "RCL102"),  # the handler value
        ("node/etc/containerd/config.toml", 6, 1, "RCL301"),  # the table header
    ]
    rcl102, rcl301 = sorted(result.findings, key=lambda f: f.code)
    assert rcl102.severity.label == "error" and rcl301.severity.label == "error"
    assert rcl301.field == f"{V2}.containerd.runtimes.runsc"
    assert rcl301.message == ("runtime 'runsc' is under [io.containerd.grpc.v1.cri], which containerd 2.0-2.2 ignores "
                              "in this config (version = 3)")
    assert rcl301.help == f"Move it to [{V3}.containerd.runtimes.runsc]"
    assert rcl102.message == 'RuntimeClass "gvisor": handler "runsc" is configured on no known node running containerd 2.0-2.2'
    assert any("unable to get OCI runtime for sandbox" in n for n in rcl102.notes)
    assert not any("failed to get sandbox runtime" in n for n in rcl102.notes)  # no 1.x wording for a 2.x pool
    [pool] = result.inventory.runtime_configs
    assert (pool.path, pool.config_version, pool.semantics) == ("node/etc/containerd/config.toml", 3, "containerd-2.x")
    assert list(pool.handlers) == ["runc", "runsc"] and pool.handlers["runc"].implicit
    assert pool.handlers["runsc"].versions == ("2.3",)


def _declared(version):
    return {"node-pool": [{"name": "gvisor", "containerd": version,
                           "runtime-config": ["node/etc/containerd/config.toml"]}]}


def test_declared_containerd_version_decides_v2_tables_in_a_v3_file(tmp_path):
    write_files(tmp_path, {"gvisor.yaml": GVISOR, "node/etc/containerd/config.toml": V3_WITH_V2_TABLE})
    assert found(lint(tmp_path, select=["RCL102", "RCL301"], config=_declared("2.3"))) == []
    result = lint(tmp_path, select=["RCL102", "RCL301"], config=_declared("2.1"))
    assert found(result) == [("gvisor.yaml", 5, 10, "RCL102"), ("node/etc/containerd/config.toml", 6, 1, "RCL301")]
    rcl102, rcl301 = sorted(result.findings, key=lambda f: f.code)
    assert rcl102.message == 'RuntimeClass "gvisor": handler "runsc" is configured on no known node'
    assert "containerd 2.1 ignores" in rcl301.message
    [pool] = [p for p in result.inventory.pools if p.name == "gvisor"]
    assert pool.versions == ("2.1",) and list(pool.handlers) == ["runc"]


def test_moving_the_table_to_the_v3_path_fixes_both(tmp_path):
    fixed = V3_WITH_V2_TABLE.replace(V2, V3)
    write_files(tmp_path, {"gvisor.yaml": GVISOR, "node/etc/containerd/config.toml": fixed})
    result = lint(tmp_path, select=["RCL102", "RCL301"])
    assert found(result) == []
    [pool] = result.inventory.runtime_configs
    assert list(pool.handlers) == ["runc", "runsc"]
    assert (pool.handlers["runsc"].span.line, pool.handlers["runsc"].kind) == (6, "gvisor")


KATA_CLASSES = """\
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: kata-qemu
handler: kata-qemu
overhead:
  podFixed:
    memory: 160Mi
    cpu: 250m
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: kata-remote
handler: kata-remote
"""

IMPORTING_MAIN = """\
version = 3
imports = ["/etc/containerd/conf.d/*.toml"]

[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
  SystemdCgroup = true
"""

KATA_IMPORT = """\
version = 3

[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.kata-qemu]
  runtime_type = "io.containerd.kata-qemu.v2"
  runtime_path = "/opt/kata/bin/containerd-shim-kata-v2"
  privileged_without_host_devices = true
"""

CRIO_MAIN = """\
[crio.runtime]
cgroup_manager = "systemd"
"""

CRIO_KATA_DROPIN = """\
[crio.runtime.runtimes.kata-remote]
runtime_path = "/usr/bin/containerd-shim-kata-v2"
runtime_type = "vm"
runtime_config_path = "/opt/kata/share/defaults/kata-containers/configuration-remote.toml"
"""


def test_handlers_defined_only_in_an_import_and_only_in_a_crio_dropin_resolve(tmp_path):
    write_files(tmp_path, {
        "runtimeclasses.yaml": KATA_CLASSES,
        "node/etc/containerd/config.toml": IMPORTING_MAIN,
        "node/etc/containerd/conf.d/kata.toml": KATA_IMPORT,
        "crio/crio.conf": CRIO_MAIN,
        "crio/crio.conf.d/10-kata.conf": CRIO_KATA_DROPIN,
    })
    result = lint(tmp_path, select=["RCL102", "RCL3"])
    assert found(result) == []
    assert NO_NODE_SOURCE not in result.stats.notes
    pools = {p.path: p for p in result.inventory.runtime_configs}
    assert sorted(pools) == ["crio/crio.conf", "node/etc/containerd/config.toml"]
    ctd = pools["node/etc/containerd/config.toml"]
    assert ctd.sources == ["node/etc/containerd/config.toml", "node/etc/containerd/conf.d/kata.toml"]
    assert list(ctd.handlers) == ["runc", "kata-qemu"]
    kata = ctd.handlers["kata-qemu"]
    assert (kata.path, kata.span.line, kata.span.column, kata.kind) == ("node/etc/containerd/conf.d/kata.toml", 3, 1, "vm")
    crio = pools["crio/crio.conf"]
    assert crio.sources == ["crio/crio.conf", "crio/crio.conf.d/10-kata.conf"]
    assert list(crio.handlers) == ["crun", "kata-remote"]
    remote = crio.handlers["kata-remote"]
    assert (remote.path, remote.span.line, remote.crio_runtime_type) == ("crio/crio.conf.d/10-kata.conf", 1, "vm")


def test_without_the_import_and_the_dropin_both_handlers_are_unknown(tmp_path):
    write_files(tmp_path, {
        "runtimeclasses.yaml": KATA_CLASSES,
        "node/etc/containerd/config.toml": IMPORTING_MAIN,
        "crio/crio.conf": CRIO_MAIN,
    })
    result = lint(tmp_path, select=["RCL102"])
    assert found(result) == [
        ("runtimeclasses.yaml", 5, 10, "RCL102"),
        ("runtimeclasses.yaml", 15, 10, "RCL102"),
    ]
    assert "judged against 2 node pools" in result.findings[0].notes[-1]


def test_did_you_mean_names_the_configured_handler_and_its_file(tmp_path):
    write_files(tmp_path, {
        "rc.yaml": "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: kata-qemu\nhandler: kata-qemu\n",
        "node/etc/containerd/config.toml": (
            'version = 2\n'
            '[plugins."io.containerd.grpc.v1.cri".containerd]\n'
            '  default_runtime_name = "runc"\n'
            '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n'
            '  runtime_type = "io.containerd.runc.v2"\n'
            '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]\n'
            '  runtime_type = "io.containerd.kata.v2"\n'
        ),
    })
    result = lint(tmp_path, select=["RCL102"])
    assert found(result) == [("rc.yaml", 5, 10, "RCL102")]
    [f] = result.findings
    assert f.help == 'Did you mean handler: "kata" (configured in node/etc/containerd/config.toml)?'
    [rel] = f.related
    assert (rel.path, rel.span.line, rel.span.column) == ("node/etc/containerd/config.toml", 6, 1)


def test_node_status_runtime_handlers_are_a_node_source(tmp_path):
    """rules.md RCL102: a handler is unknown when no containerd table, no CRI-O table and no
    `status.runtimeHandlers` entry of a Node defines it, and the rule runs as soon as one node
    source is known. A Node reporting its handlers is such a source."""
    write_files(tmp_path, {
        "node.yaml": (
            "apiVersion: v1\nkind: Node\nmetadata:\n  name: worker-1\n"
            "status:\n  runtimeHandlers:\n    - name: kata\n    - name: runc\n"
        ),
        "rc.yaml": (
            "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: kata\nhandler: kata\n"
            "---\n"
            "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: gvisor\nhandler: runsc\n"
        ),
    })
    result = lint(tmp_path, select=["RCL102"])
    assert found(result) == [("rc.yaml", 11, 10, "RCL102")]  # runsc: on no node; kata: on worker-1
    assert NO_NODE_SOURCE not in result.stats.notes


def test_runtime_classes_without_runtime_config_note_the_skip_once(tmp_path):
    write_files(tmp_path, {
        "a.yaml": GVISOR,
        "b.yaml": KATA_CLASSES,
    })
    result = lint(tmp_path)
    assert [f for f in result.findings if f.code == "RCL102"] == []
    assert result.stats.notes.count(NO_NODE_SOURCE) == 1
    assert sum("node-dependent rules" in n for n in result.stats.notes) == 1


def test_no_skip_note_without_runtime_classes_or_with_a_runtime_config(tmp_path):
    write_files(tmp_path, {"pod.yaml": GVISOR.split("---\n")[1]})
    assert NO_NODE_SOURCE not in lint(tmp_path).stats.notes
    write_files(tmp_path, {"rc.yaml": GVISOR, "crio/crio.conf": CRIO_MAIN})
    result = lint(tmp_path)
    assert NO_NODE_SOURCE not in result.stats.notes
    assert ("rc.yaml", 5, 10, "RCL102") in found(result)


def test_v2_import_replacing_the_cri_section_loses_runc_on_containerd_1x(tmp_path):
    """containerd 1.x: the import's CRI tables replace the main file's (RCL309), the main file's
    runc is gone (RCL102 for a class using it) and the default "runc" dangles (RCL302)."""
    write_files(tmp_path, {
        "runc.yaml": "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: native\nhandler: runc\n",
        "node/etc/containerd/config.toml": (
            'version = 2\n'
            'imports = ["/etc/containerd/conf.d/*.toml"]\n'
            '[plugins."io.containerd.grpc.v1.cri".containerd]\n'
            '  default_runtime_name = "runc"\n'
            '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n'
            '  runtime_type = "io.containerd.runc.v2"\n'
        ),
        "node/etc/containerd/conf.d/kata.toml": (
            'version = 2\n'
            '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]\n'
            '  runtime_type = "io.containerd.kata.v2"\n'
        ),
    })
    result = lint(tmp_path, select=["RCL102", "RCL302", "RCL309"])
    assert found(result) == [
        ("node/etc/containerd/conf.d/kata.toml", 2, 49, "RCL302"),
        ("node/etc/containerd/config.toml", 2, 12, "RCL309"),
        ("runc.yaml", 5, 10, "RCL102"),
    ]
    rcl102 = next(f for f in result.findings if f.code == "RCL102")
    # containerd 2.x merges the drop-in and keeps runc: only 1.x loses it
    assert rcl102.message.endswith('handler "runc" is configured on no known node running containerd 1.6-1.7')
