"""`rclint nodes` and `rclint check` on node runtime configs, through the command line.

The real configs live in the shared reference corpus (../shared/corpus/real); tests that need it
skip, saying so, when it is absent. Commands run with the corpus directory as the working
directory, so paths are displayed as `containerd/<file>` and `crio/<file>`.
"""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from rclint.checks.nodes import NO_NODE_SOURCE
from rclint.cli import main

from helpers import write_files

# Every runtime config of the corpus: (default handler, [(handler, line of its table or None
# when built in)]) as the runtime would see them.
CONTAINERD = {
    "aero-faas-kata-fc-v2.toml": ("runc", [("kata-fc", 113), ("runc", 123)]),
    "aks-agentbaker-gb200-nvidia-v2.toml": ("nvidia", [("nvidia", 17), ("runc", 23), ("untrusted", 29)]),
    "containerd-cri-in-userns-minimal-v2.toml": ("runc", [("runc", None)]),
    "containerd-default-1.6.toml": ("runc", [("runc", 106)]),
    "containerd-default-1.7.toml": ("runc", [("runc", 118)]),
    "flatcar-config-v2.toml": ("runc", [("runc", 34)]),
    # version 1 with a `default_runtime` table: containerd 1.x adds the runtime "default"
    "jessfraz-v1-legacy.toml": ("default", [("runc", None), ("default", 38)]),
    "k8s-hard-way-containerd-v2.toml": ("runc", [("runc", 7)]),
    "kairos-provider-kubeadm-v2-imports.toml": ("runc", [("runc", 9)]),
    "kind-base-2019-v1.toml": ("default", [("test-handler", 10), ("default", 5)]),
    "kind-base-v2.toml": ("runc", [("runc", 17), ("test-handler", 28)]),
    "minikube-kicbase-v2.toml": ("runc", [("runc", 49)]),
    "nvidia-ctk-test-config_empty.toml": None,  # 0 bytes: no handler written in it
    "nvidia-ctk-test-config_v1.toml": ("default", [("runc", None), ("default", 50)]),
    "nvidia-ctk-test-config_v2.toml": ("runc", [("runc", 77)]),
    "tuttlebr-nvidia-default-v2.toml": (
        "nvidia", [("nvidia", 12), ("nvidia-cdi", 21), ("nvidia-experimental", 30), ("nvidia-legacy", 39)]),
    # no `version` key, so its [plugins."io.containerd.grpc.v1.cri"...nvidia] table is not read (RCL301)
    "voor-nvidia-fragment.toml": ("runc", [("runc", None)]),
    "extracted/containerd-docs-cri-config-md-L226-331-full-v3.toml": ("runc", [("runc", 60)]),
    "extracted/containerd-docs-cri-config-md-L93-107-runtimes-v3.toml": (
        "crun", [("runc", None), ("crun", 6), ("gvisor", 11), ("kata", 14)]),
}

CRIO = {
    "crio-bundle-10-crun.conf": ("crun", [("crun", 4)]),
    "crio-dropin-50-runc-default.conf": ("runc", [("crun", None), ("runc", 4)]),
    "crio-dropin-50-runc.conf": ("crun", [("crun", None), ("runc", 3)]),
    "crio-packaging-10-crio.conf": ("crun", [("crun", 7), ("runc", 15)]),
    "crio-v1.14-fixture-legacy-runtime-key.conf": ("crun", [("crun", None)]),
    "crio-v1.17.0-full.conf": ("runc", [("crun", None), ("runc", 263)]),
    "kios-crio.conf": ("crun", [("crun", 381)]),
    "minikube-02-crio.conf": ("crun", [("crun", None)]),
    "minikube-iso-crio.conf": ("runc", [("crun", None), ("runc", 299)]),
    "sno-etc-openshift-crio.conf": ("crun", [("crun", 386), ("runc", 398)]),
    "extracted/osc-50-kata-remote.conf": ("crun", [("crun", None), ("kata-remote", 1)]),
}
CRIO_EXTENSIONLESS = {"sno-etc-crio.conf.d-00-default": ("crun", [("crun", None)])}


ALL = ["1.6", "1.7", "2.0", "2.1", "2.2", "2.3"]
V2X = ["2.0", "2.1", "2.2", "2.3"]
NO_VERSIONS = {"containerd": None, "crio": None, "declared": False}


def views(path, handlers_1x, handlers_2x, default):
    """The per-version views `rclint nodes --format json` lists for an undeclared pool."""
    out = []
    for versions, semantics, handlers in ((["1.6", "1.7"], "containerd-1.x", handlers_1x),
                                          (["2.0", "2.1", "2.2"], "containerd-2.x", handlers_2x),
                                          (["2.3"], "containerd-2.x", handlers_2x)):
        if handlers is not None:
            out.append({"config": path, "versions": versions, "semantics": semantics, "default_handler": default,
                        "handlers": handlers, "cri_plugin_loads": True, "failures": []})
    return out


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def nodes_json(*args):
    r = invoke("nodes", "--isolated", "--format", "json", *args)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def check_json(*args):
    r = invoke("check", "--isolated", "--format", "json", *args)
    assert r.exit_code in (0, 1), r.output
    return json.loads(r.stdout)


def positions(doc, codes=None):
    return [(f["path"], f["line"], f["column"], f["code"]) for f in doc["findings"]
            if codes is None or f["code"] in codes]


def handlers_of(pool):
    return [(h["name"], h["line"]) for h in pool["handlers"]]


@pytest.fixture
def real(shared, monkeypatch):
    root = shared / "corpus" / "real"
    monkeypatch.chdir(root)
    return root


# --------------------------------------------------------------------------- the corpus itself


def test_the_expectations_cover_every_real_runtime_config(real):
    ctd = sorted(p.relative_to(real / "containerd").as_posix() for p in (real / "containerd").rglob("*.toml"))
    assert ctd == sorted(CONTAINERD)
    crio = sorted(p.relative_to(real / "crio").as_posix() for p in (real / "crio").rglob("*") if p.is_file())
    assert crio == sorted(set(CRIO) | set(CRIO_EXTENSIONLESS))


@pytest.mark.parametrize("name", sorted(CONTAINERD))
def test_real_containerd_config_loads_and_lists_its_handlers(real, name):
    path = f"containerd/{name}"
    doc = nodes_json(path)
    expected = CONTAINERD[name]
    if expected is None:  # the empty file: nothing written in it can be listed
        assert all(h["line"] is None for p in doc["pools"] for h in p["handlers"])
        return
    [pool] = doc["pools"]
    assert (pool["name"], pool["sources"], pool["runtime"]) == (path, [path], "containerd")
    first = pool["views"][0]  # the oldest line the config may run: containerd 1.x for versions 1 and 2
    assert first["versions"] == (["2.0", "2.1", "2.2"] if pool["config_version"] == 3 else ["1.6", "1.7"])
    shown = [(h["name"], h["line"]) for h in pool["handlers"] if h["name"] in first["handlers"]]
    assert (first["default_handler"], shown) == expected
    assert all(h["path"] == path for h in pool["handlers"])
    assert positions(check_json("--select", "RCL002", path)) == []


def test_no_real_containerd_config_has_a_syntax_finding(real):
    doc = check_json("--select", "RCL0", "containerd")
    assert [f for f in doc["findings"] if f["code"] == "RCL002"] == []


@pytest.mark.parametrize("name", sorted(CRIO))
def test_real_crio_config_loads_and_lists_its_handlers(real, name):
    path = f"crio/{name}"
    [pool] = nodes_json(path)["pools"]
    assert (pool["name"], pool["sources"], pool["runtime"], pool["config_version"]) == (path, [path], "crio", None)
    assert (pool["default_handler"], handlers_of(pool)) == CRIO[name]
    assert positions(check_json("--select", "RCL0,RCL3", path)) == []  # the real CRI-O files are clean


def test_extensionless_crio_dropin_given_with_node_config(shared, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing else to discover
    target = shared / "corpus" / "real" / "crio" / "sno-etc-crio.conf.d-00-default"
    shown = os.path.relpath(str(target)).replace(os.sep, "/")
    doc = nodes_json("--node-config", str(target))
    assert doc == {"pools": [{
        "name": shown,
        "source": "runtime-config",
        "sources": [shown],
        "runtime": "crio",
        "config_version": None,
        "default_handler": "crun",
        "labels": None,
        "taints": [],
        "nodes": None,
        "handlers": [{"name": "crun", "kind": "runc", "runtime_type": "oci", "runtime_path": None, "path": shown, "line": None}],
        "recognised": [{"path": shown, "kind": "crio", "how": "named with --node-config or node-config"}],
        "handlers_unknown": None,
        "runtime_versions": NO_VERSIONS,
        "views": [],
        "reported_runtime": None,
    }]}
    assert (doc["pools"][0]["default_handler"], handlers_of(doc["pools"][0])) == \
        CRIO_EXTENSIONLESS["sno-etc-crio.conf.d-00-default"]
    r = invoke("check", "--isolated", "--format", "json", "--select", "RCL0,RCL3", "--node-config", str(target))
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["findings"] == []


# --------------------------------------------------------------------------- exact `nodes` output


def test_nodes_json_aks_nvidia_default(real):
    path = "containerd/aks-agentbaker-gb200-nvidia-v2.toml"
    assert nodes_json(path) == {"pools": [{
        "name": path,
        "source": "runtime-config",
        "sources": [path],
        "runtime": "containerd",
        "config_version": 2,
        "default_handler": "nvidia",
        "labels": None,
        "taints": [],
        "nodes": None,
        "handlers": [
            {"name": "nvidia", "kind": "runc", "runtime_type": "io.containerd.runc.v2", "runtime_path": None, "path": path, "line": 17, "versions": ALL},
            {"name": "runc", "kind": "runc", "runtime_type": "io.containerd.runc.v2", "runtime_path": None, "path": path, "line": 23, "versions": ALL},
            {"name": "untrusted", "kind": "runc", "runtime_type": "io.containerd.runc.v2", "runtime_path": None, "path": path,
             "line": 29, "versions": ALL},
        ],
        "recognised": [{"path": path, "kind": "containerd", "how": 'its decoded `plugins` table is keyed by containerd plugin IDs (io.containerd.grpc.v1.cri)'}],
        "handlers_unknown": None,
        "runtime_versions": {"containerd": ALL, "crio": None, "declared": False},
        "views": views(path, ["nvidia", "runc", "untrusted"], ["runc", "nvidia", "untrusted"], "nvidia"),
        "reported_runtime": None,
    }]}


def test_nodes_json_kind_test_handler(real):
    path = "containerd/kind-base-v2.toml"
    assert nodes_json(path) == {"pools": [{
        "name": path,
        "source": "runtime-config",
        "sources": [path],
        "runtime": "containerd",
        "config_version": 2,
        "default_handler": "runc",
        "labels": None,
        "taints": [],
        "nodes": None,
        "handlers": [
            {"name": "runc", "kind": "runc", "runtime_type": "io.containerd.runc.v2", "runtime_path": None, "path": path, "line": 17, "versions": ALL},
            {"name": "test-handler", "kind": "runc", "runtime_type": "io.containerd.runc.v2", "runtime_path": None, "path": path,
             "line": 28, "versions": ALL},
        ],
        "recognised": [{"path": path, "kind": "containerd", "how": 'its decoded `plugins` table is keyed by containerd plugin IDs (io.containerd.grpc.v1.cri)'}],
        "handlers_unknown": None,
        "runtime_versions": {"containerd": ALL, "crio": None, "declared": False},
        "views": views(path, ["runc", "test-handler"], ["runc", "test-handler"], "runc"),
        "reported_runtime": None,
    }]}


def test_nodes_json_containerd2_extract_with_crun_default(real):
    path = "containerd/extracted/containerd-docs-cri-config-md-L93-107-runtimes-v3.toml"
    assert nodes_json(path) == {"pools": [{
        "name": path,
        "source": "runtime-config",
        "sources": [path],
        "runtime": "containerd",
        "config_version": 3,
        "default_handler": "crun",
        "labels": None,
        "taints": [],
        "nodes": None,
        "handlers": [
            # containerd 2.x keeps its built-in runc next to the configured runtimes
            {"name": "runc", "kind": "runc", "runtime_type": "io.containerd.runc.v2", "runtime_path": None, "path": path, "line": None, "versions": V2X},
            {"name": "crun", "kind": "runc", "runtime_type": "io.containerd.runc.v2", "runtime_path": None, "path": path, "line": 6, "versions": V2X},
            {"name": "gvisor", "kind": "gvisor", "runtime_type": "io.containerd.runsc.v1", "runtime_path": None, "path": path, "line": 11, "versions": V2X},
            {"name": "kata", "kind": "vm", "runtime_type": "io.containerd.kata.v2", "runtime_path": None, "path": path, "line": 14, "versions": V2X},
        ],
        "recognised": [{"path": path, "kind": "containerd", "how": 'its decoded `plugins` table is keyed by containerd plugin IDs (io.containerd.cri.v1.runtime)'}],
        "handlers_unknown": None,
        "runtime_versions": {"containerd": V2X, "crio": None, "declared": False},
        "views": views(path, None, ["runc", "crun", "gvisor", "kata"], "crun"),
        "reported_runtime": None,
    }]}


def test_nodes_json_crio_packaging_dropin(real):
    path = "crio/crio-packaging-10-crio.conf"
    assert nodes_json(path) == {"pools": [{
        "name": path,
        "source": "runtime-config",
        "sources": [path],
        "runtime": "crio",
        "config_version": None,
        "default_handler": "crun",
        "labels": None,
        "taints": [],
        "nodes": None,
        "handlers": [
            {"name": "crun", "kind": "runc", "runtime_type": "oci", "runtime_path": "/usr/libexec/crio/crun", "path": path, "line": 7},
            {"name": "runc", "kind": "runc", "runtime_type": "oci", "runtime_path": "/usr/libexec/crio/runc", "path": path, "line": 15},
        ],
        "recognised": [{"path": path, "kind": "crio", "how": 'its decoded top level has [crio] tables'}],
        "handlers_unknown": None,
        "runtime_versions": NO_VERSIONS,
        "views": [],
        "reported_runtime": None,
    }]}


def test_nodes_text_names_the_default_and_where_each_handler_is(real):
    r = invoke("nodes", "--isolated", "containerd/aks-agentbaker-gb200-nvidia-v2.toml")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[:5] == [
        "pool containerd/aks-agentbaker-gb200-nvidia-v2.toml",
        "  runtime: containerd (config version 2); judged as containerd 1.6-2.3+ (inferred from the config)",
        "  sources: containerd/aks-agentbaker-gb200-nvidia-v2.toml",
        "  recognised: containerd/aks-agentbaker-gb200-nvidia-v2.toml: its decoded `plugins` table is keyed by "
        "containerd plugin IDs (io.containerd.grpc.v1.cri)",
        "  default handler: nvidia  (containerd/aks-agentbaker-gb200-nvidia-v2.toml:13)",
    ]
    assert "(containerd/aks-agentbaker-gb200-nvidia-v2.toml:17)" in lines[6] and lines[6].split()[0] == "nvidia"


# --------------------------------------------------------------------------- real defects


def test_misspelled_privileged_without_host_device_in_aero_faas(real):
    path = "containerd/aero-faas-kata-fc-v2.toml"
    doc = check_json("--select", "RCL0,RCL3", path)
    assert positions(doc) == [(path, 116, 11, "RCL307")]
    [f] = doc["findings"]
    assert f["severity"] == "warning"
    assert "`privileged_without_host_device`" in f["message"]
    assert f["help"] == "did you mean `privileged_without_host_devices`?"


# every runtime table whose runtime_type is the removed io.containerd.runtime.v1.linux (RCL303,
# warning in version 1/2 files), with the other RCL3xx findings of the same file
REMOVED_V1_LINUX = {
    "jessfraz-v1-legacy.toml": [(38, 7, "RCL303"), (39, 9, "RCL303")],
    "nvidia-ctk-test-config_v1.toml": [(50, 7, "RCL303"), (53, 9, "RCL303")],
    # a fragment without `version`: containerd 1.6-2.2 ignore its full-ID table (RCL301); 2.3+
    # migrates and reads it, with the removed runtime type and runtime_engine (RCL303)
    "voor-nvidia-fragment.toml": [(1, 5, "RCL301"), (2, 9, "RCL303"), (3, 9, "RCL303")],
}


def test_every_file_with_the_v1_linux_runtime_type_is_covered(real):
    holders = sorted(
        p.relative_to(real / "containerd").as_posix()
        for p in (real / "containerd").rglob("*.toml")
        if 'runtime_type = "io.containerd.runtime.v1.linux"' in p.read_text(encoding="utf-8")
    )
    assert holders == sorted(REMOVED_V1_LINUX)


@pytest.mark.parametrize("name", sorted(REMOVED_V1_LINUX))
def test_removed_runtime_v1_linux_is_reported(real, name):
    path = f"containerd/{name}"
    doc = check_json("--select", "RCL3", path)
    assert positions(doc) == [(path, line, col, code) for line, col, code in REMOVED_V1_LINUX[name]]
    text = (real / "containerd" / name).read_text(encoding="utf-8").split("\n")
    v1_linux = [f for f in doc["findings"] if "io.containerd.runtime.v1.linux" in text[f["line"] - 1]]
    assert v1_linux and all(f["code"] == "RCL303" and f["severity"] == "warning" for f in v1_linux)


def test_whole_containerd_corpus_findings(real):
    """One run over the directory: exactly the defects above, nothing else (the fragment is
    checked on its own above)."""
    fragment = "containerd/voor-nvidia-fragment.toml"
    doc = check_json("--select", "RCL0,RCL3", "containerd")
    expected = [(f"containerd/{n}", line, col, code) for n, rows in REMOVED_V1_LINUX.items() for line, col, code in rows
                if f"containerd/{n}" != fragment]
    expected += [
        ("containerd/aero-faas-kata-fc-v2.toml", 116, 11, "RCL307"),
        ("containerd/kind-base-2019-v1.toml", 5, 1, "RCL303"),  # the version 1 default_runtime table
        # version 1: containerd 2.0-2.2 rename plugins.cri but never migrate its tables (merged version 3)
        ("containerd/kind-base-2019-v1.toml", 10, 1, "RCL301"),
        ("containerd/nvidia-ctk-test-config_v2.toml", 81, 11, "RCL303"),  # io.containerd.runc.v1
        # the AKS templates: reported once at their first placeholder, not linted as values
        ("containerd/aks-windows-containerd-v1.toml.tmpl", 28, 22, "RCL005"),
        ("containerd/aks-windows-containerd2-v3.toml.tmpl", 32, 18, "RCL005"),
    ]
    assert [p for p in positions(doc) if p[0] != fragment] == sorted(expected)


# --------------------------------------------------------------------------- the skip note


RCS = """\
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: kata
handler: kata
overhead:
  podFixed: {memory: 160Mi, cpu: 250m}
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: gvisor
handler: runsc
"""
PODS = """\
apiVersion: v1
kind: Pod
metadata:
  name: a
spec:
  runtimeClassName: kata
  containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata:
  name: b
spec:
  runtimeClassName: gvisor
  containers: [{name: c, image: busybox}]
"""


def test_runtime_classes_without_runtime_config_print_the_skip_note_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write_files(tmp_path, {"rcs.yaml": RCS, "pods.yaml": PODS})
    r = invoke("check", ".")
    assert r.exit_code == 0
    assert r.stdout == ""
    assert r.stderr == f"rclint: no problems found in 2 files\nrclint: note: {NO_NODE_SOURCE}\n"
    assert r.stderr.count("node-dependent rules") == 1
    # JSON carries it once in the summary
    doc = json.loads(invoke("check", "--format", "json", ".").stdout)
    assert doc["summary"]["notes"] == [NO_NODE_SOURCE]


def test_the_skip_note_goes_away_with_a_runtime_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write_files(tmp_path, {
        "rcs.yaml": RCS,
        "pods.yaml": PODS,
        "node/etc/containerd/config.toml": (
            'version = 3\n'
            '[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.kata]\n'
            '  runtime_type = "io.containerd.kata.v2"\n'
        ),
    })
    r = invoke("check", "--select", "RCL102", ".")
    assert r.exit_code == 1
    assert "node-dependent rules" not in r.stderr
    assert r.stdout.startswith('error[RCL102] unknown-handler: RuntimeClass "gvisor": handler "runsc" is configured on no '
                               'known node')
    assert "\n  --> rcs.yaml:13:10\n" in r.stdout
