"""One classifier decides what each input is (rclint.classify): node runtime configs by
explicit naming, decoded structure and conventional location; imports from every main config;
templates; and configuration files rclint cannot use."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from rclint.classify import candidate, node_root, recognise
from rclint.cli import main

from helpers import lint, write_files


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def nodes_json(*args):
    r = invoke("nodes", "--format", "json", *args)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def check_json(*args):
    r = invoke("check", "--format", "json", *args)
    assert r.exit_code in (0, 1), r.output
    return json.loads(r.stdout)


def positions(doc):
    return [(f["path"], f["line"], f["column"], f["code"]) for f in doc["findings"]]


# --------------------------------------------------------------------------- unit: recognise()

CONTAINERD_V2 = 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]\n  runtime_type = "io.containerd.kata.v2"\n'


@pytest.mark.parametrize("path,text,kind", [
    # project and tool manifests, whatever they hold
    ("pyproject.toml", '[project]\nname = "x"\nversion = "1.0"\n', None),
    ("pyproject.toml", "version = 2\n", None),
    ("rust/Cargo.toml", '[package]\nname = "x"\nversion = "0.1.0"\n', None),
    ("a/any.toml", '[tool.black]\nline-length = 100\nversion = 2\n', None),
    ("a/any.toml", '[workspace]\nmembers = ["a"]\n', None),
    ("a/any.toml", '[dependencies]\nserde = "1"\n', None),
    ("a/any.toml", '[build-system]\nrequires = ["setuptools"]\n', None),
    # a Hugo site config, a Cargo config, a tool config with a version
    ("site/config.toml", 'baseURL = "https://example.org/"\ntitle = "Docs"\n[params]\nversion = 2\n', None),
    (".cargo/config.toml", '[build]\ntarget = "x86_64-unknown-linux-gnu"\n', None),
    ("a/tool.toml", 'version = 2\nname = "x"\n', None),
    ("a/tool.toml", 'version = "2"\nimports = []\n', None),
    ("a/tool.toml", "version = 7\n", None),
    ("a/tool.toml", "[debug]\nlevel = 1\n", None),
    # containerd by decoded structure
    ("a/anything.toml", CONTAINERD_V2, "containerd"),
    ("a/fragment.toml", '[plugins.cri.containerd.runtimes.nvidia]\nruntime_type = "x"\n', "containerd"),
    ("a/v3.toml", "version = 3\n", "containerd"),
    ("a/imports.toml", 'imports = ["/etc/containerd/conf.d/*.toml"]\n', "containerd"),
    # containerd by name or location, even empty or comment-only
    ("node/etc/containerd/config.toml", "", "containerd"),
    ("containerd/config.toml", "# defaults\n", "containerd"),
    ("etc/cri/containerd.toml", "", "containerd"),
    ("k0s/containerd.toml", "", "containerd"),
    ("deploy/containerd.toml", "", "containerd"),
    ("k3s/containerd/config.toml.tmpl", "{{ template \"base\" . }}\n", "containerd"),
    # an Ansible template: its lines before the first placeholder are containerd's
    ("roles/containerd/templates/config.toml.j2", 'version = 2\nroot = "{{ containerd_storage_dir }}"\n', "containerd"),
    ("charts/x/files/other.toml.tpl", '{{ .Values.x }}\n[server]\nport = 1\n', None),
    # CRI-O
    ("a/b.conf", '[crio.runtime]\ndefault_runtime = "crun"\n', "crio"),
    ("etc/crio/crio.conf", "", "crio"),
    ("etc/crio/crio.conf.d/10-crun", "", "crio"),
    ("a/nginx.conf", "server { listen 80; }\n", None),
    ("Pipfile", '[[source]]\nurl = "https://pypi.org/simple"\n[packages]\n', None),
])
def test_recognise(path, text, kind):
    assert recognise(path, text).kind == kind


def test_named_explicitly_wins_over_everything():
    rec = recognise("pyproject.toml", '[project]\nversion = "1"\n', named="named with --node-config or node-config")
    assert (rec.kind, rec.reason) == ("containerd", "named with --node-config or node-config")
    assert recognise("x/extra", '[crio.runtime]\n', named="the runtime-config of node pool a").kind == "crio"


def test_reasons_say_how_a_file_was_recognised():
    assert recognise("n/etc/cri/containerd.toml", "version = 3\n").reason == \
        "located like the Talos containerd config (etc/cri/containerd.toml)"
    assert recognise("x.toml", CONTAINERD_V2).reason == \
        "its decoded `plugins` table is keyed by containerd plugin IDs (io.containerd.grpc.v1.cri)"
    assert recognise("x.toml", "version = 2\nimports = []\noom_score = 0\n").reason == \
        "its decoded top level holds only containerd's keys (version = 2, imports, oom_score)"
    assert recognise("Cargo.toml", "[package]\n").reason == "a project manifest"


def test_candidates_by_name():
    assert [candidate(p) for p in ("a.yaml", "b.json", "c.toml", "d.toml.tmpl", "d.toml.j2", "e.conf", "crio.conf.d/x.y",
                                   "Makefile", "README.md", "extensionless", "x.yml.tmpl")] == \
        ["manifest", "manifest", "node", "node", "node", "node", "node", None, None, "node", None]


def test_node_root_from_the_conventional_location():
    assert node_root("t/etc/cri/containerd.toml") == "t"
    assert node_root("/etc/k0s/containerd.toml") == "/"
    assert node_root("n/etc/containerd/config.toml") == "n"
    assert node_root("n/var/lib/rancher/k3s/agent/etc/containerd/config.toml.tmpl") == "n"
    assert node_root("containerd/config.toml") is None


@pytest.mark.parametrize("text,found", [
    ('snapshotter = "${SNAPSHOTTER}"\n', (1, 16, "${SNAPSHOTTER}")),
    ('bin_dir = "$SNAP_DATA/opt/cni/bin"\n', (1, 12, "$SNAP_DATA")),
    ("a = 1\n{{hypervisors}}\n", (2, 1, "{{hypervisors}}")),
    ("{% if kata %}\n", (1, 1, "{% if kata %}")),
    ('# ${NOT} a placeholder in a comment\nroot = "/var/lib/containerd" # $HOME\n', None),
    ("password = 'pa$$word'\nx = \"$lower\"\n", None),
])
def test_placeholders(text, found):
    from rclint.classify import find_placeholder

    got = find_placeholder(text)
    assert (None if got is None else (got[0].line, got[0].column, got[1])) == found


# --------------------------------------------------------------------------- acceptance: phantom pools

RUNTIME_CLASSES = """\
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: kata
handler: kata
scheduling:
  nodeSelector:
    pool: kata
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: gvisor
handler: runsc
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: gpu
handler: runc
scheduling:
  nodeSelector:
    pool: gpu
"""
PODS = """\
apiVersion: v1
kind: Pod
metadata:
  name: sandboxed
spec:
  runtimeClassName: kata
  nodeSelector:
    disk: ssd
  containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata:
  name: gvisor-pod
spec:
  runtimeClassName: gvisor
  containers: [{name: c, image: busybox}]
"""
POOLS = """\
[tool.rclint]
select = ["RCL102", "RCL103", "RCL104", "RCL110"]

[[tool.rclint.node-pool]]
name = "general"
labels = { pool = "general" }
runtime-config = ["nodes/general/etc/containerd/config.toml"]

[[tool.rclint.node-pool]]
name = "kata"
labels = { pool = "kata" }
runtime-config = ["nodes/kata/etc/containerd/config.toml"]
"""
PROJECT = '[project]\nname = "cluster-config"\nversion = "1.4.2"\n\n'
UNRELATED = {
    "Cargo.toml": '[package]\nname = "helper"\nversion = "0.3.0"\nedition = "2021"\n\n[dependencies]\nserde = "1"\n',
    "site/config.toml": ('baseURL = "https://docs.example.org/"\ntitle = "Cluster docs"\ntheme = "docsy"\n\n'
                         '[params]\nversion = 2\n[menu]\n[[menu.main]]\nname = "Home"\n'),
}
NODE_CONFIGS = {
    "nodes/general/etc/containerd/config.toml": (
        'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n'
        '  runtime_type = "io.containerd.runc.v2"\n'),
    "nodes/kata/etc/containerd/config.toml": (
        'version = 3\n[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.kata]\n'
        '  runtime_type = "io.containerd.kata.v2"\n'),
}
EXPECTED = [
    ("pods.yaml", 6, 21, "RCL110"),   # the pod's disk=ssd plus the class's pool=kata matches no pool
    ("rcs.yaml", 14, 10, "RCL102"),   # runsc is configured in no pool
    ("rcs.yaml", 22, 3, "RCL104"),    # pool=gpu matches no declared pool
]


def _repo(tmp_path, monkeypatch, unrelated: bool):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    files = {"rcs.yaml": RUNTIME_CLASSES, "pods.yaml": PODS, **NODE_CONFIGS,
             "pyproject.toml": (PROJECT if unrelated else "") + POOLS}
    if unrelated:
        files.update(UNRELATED)
    write_files(tmp_path, files)


@pytest.mark.parametrize("unrelated", [False, True], ids=["alone", "with-unrelated-toml"])
def test_project_files_are_never_node_pools(tmp_path, monkeypatch, unrelated):
    _repo(tmp_path, monkeypatch, unrelated)
    doc = nodes_json(".")
    assert [(p["name"], p["source"], p["sources"]) for p in doc["pools"]] == [
        ("general", "config", ["pyproject.toml", "nodes/general/etc/containerd/config.toml"]),
        ("kata", "config", ["pyproject.toml", "nodes/kata/etc/containerd/config.toml"]),
    ]
    assert [p["recognised"] for p in doc["pools"]] == [
        [{"path": "nodes/general/etc/containerd/config.toml", "kind": "containerd",
          "how": "the runtime-config of node pool general"}],
        [{"path": "nodes/kata/etc/containerd/config.toml", "kind": "containerd",
          "how": "the runtime-config of node pool kata"}],
    ]
    assert positions(check_json(".")) == EXPECTED


def test_unrelated_files_change_no_finding(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _repo(tmp_path / "a", monkeypatch, False)
    alone = check_json(".")
    _repo(tmp_path / "b", monkeypatch, True)
    mixed = check_json(".")
    assert positions(alone) == positions(mixed) == EXPECTED
    assert [f["message"] for f in alone["findings"]] == [f["message"] for f in mixed["findings"]]


def test_discovered_configs_next_to_project_files(tmp_path, monkeypatch):
    """Without declared pools: the walk finds the two node configs and nothing else."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write_files(tmp_path, {**NODE_CONFIGS, **UNRELATED, "pyproject.toml": PROJECT + '[tool.black]\nline-length = 99\n',
                           "rcs.yaml": RUNTIME_CLASSES})
    doc = nodes_json(".")
    assert [(p["name"], [r["how"] for r in p["recognised"]]) for p in doc["pools"]] == [
        ("nodes/general/etc/containerd/config.toml", ["located like containerd's config (etc/containerd/config.toml)"]),
        ("nodes/kata/etc/containerd/config.toml", ["located like containerd's config (etc/containerd/config.toml)"]),
    ]
    r = invoke("nodes", ".")
    assert "Cargo.toml" not in r.stdout and "pyproject.toml" not in r.stdout and "site/config.toml" not in r.stdout
    assert "  recognised: nodes/kata/etc/containerd/config.toml: located like containerd's config" in r.stdout


# --------------------------------------------------------------------------- acceptance: imports

TALOS = {
    "talos/etc/cri/containerd.toml": 'version = 3\nimports = ["/etc/cri/conf.d/cri.toml"]\n',
    "talos/etc/cri/conf.d/cri.toml": (
        '[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.kata]\n'
        '  runtime_type = "io.containerd.kata.v2"\n'
        '[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.gvisor]\n'
        '  runtime_type = "io.containerd.runsc.v1"\n'),
}


def test_talos_layout_is_one_pool_with_the_imported_runtimes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path, TALOS)
    doc = nodes_json("--isolated", ".")
    [pool] = doc["pools"]
    main, imported = "talos/etc/cri/containerd.toml", "talos/etc/cri/conf.d/cri.toml"
    assert (pool["name"], pool["sources"], pool["config_version"]) == (main, [main, imported], 3)
    assert [(h["name"], h["path"], h["line"]) for h in pool["handlers"]] == [
        ("runc", main, None), ("kata", imported, 1), ("gvisor", imported, 3)]
    assert pool["recognised"] == [
        {"path": main, "kind": "containerd", "how": "located like the Talos containerd config (etc/cri/containerd.toml)"},
        {"path": imported, "kind": "containerd", "how": f"imported by {main}"},
    ]
    assert pool["handlers_unknown"] is None
    assert check_json("--isolated", "--select", "RCL0,RCL3", ".")["findings"] == []


def test_k0s_layout_follows_its_glob_drop_ins(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path, {
        "node/etc/k0s/containerd.toml": 'version = 2\nimports = ["/etc/k0s/containerd.d/*.toml"]\n',
        "node/etc/k0s/containerd.d/kata.toml": (
            'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]\n'
            '  runtime_type = "io.containerd.kata.v2"\n'),
    })
    [pool] = nodes_json("--isolated", ".")["pools"]
    assert pool["sources"] == ["node/etc/k0s/containerd.toml", "node/etc/k0s/containerd.d/kata.toml"]
    kata = [h for h in pool["handlers"] if h["name"] == "kata"]
    assert [(h["path"], h["line"]) for h in kata] == [("node/etc/k0s/containerd.d/kata.toml", 2)]


def test_import_cycle_keeps_one_pool(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path, {"a.toml": 'version = 2\nimports = ["b.toml"]\n', "b.toml": 'version = 2\nimports = ["a.toml"]\n'})
    assert [(p["name"], p["sources"]) for p in nodes_json("--isolated", ".")["pools"]] == [
        ("a.toml", ["a.toml", "b.toml"])]


def test_missing_import_is_an_error_and_leaves_the_handlers_unknown(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path, {
        "node/etc/containerd/config.toml": 'version = 3\nimports = ["/etc/containerd/conf.d/kata.toml"]\n',
        "rcs.yaml": RUNTIME_CLASSES.split("---")[1].lstrip("\n"),  # gvisor -> runsc
    })
    doc = check_json("--isolated", "--ignore", "RCL109", ".")
    # RCL311, and no RCL102 for runsc: the pool's handlers are unknown
    assert positions(doc) == [("node/etc/containerd/config.toml", 2, 12, "RCL311")]
    [f] = doc["findings"]
    assert f["message"] == "imported file '/etc/containerd/conf.d/kata.toml' does not exist"
    assert f["severity"] == "error"
    [pool] = nodes_json("--isolated", ".")["pools"]
    assert pool["handlers"] is None
    assert pool["handlers_unknown"] == "import '/etc/containerd/conf.d/kata.toml' could not be read"
    text = invoke("nodes", "--isolated", ".").stdout
    assert "    (unknown: import '/etc/containerd/conf.d/kata.toml' could not be read)" in text
    assert "  default handler: (unknown)" in text


# --------------------------------------------------------------------------- acceptance: templates

MICROK8S = """\
version = 2
oom_score = 0

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.7"

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "${SNAPSHOTTER}"
    default_runtime_name = "${RUNTIME}"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "${RUNTIME_TYPE}"

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${SNAP_DATA}/opt/cni/bin"
"""


def test_microk8s_template_is_reported_once_and_not_linted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path, {"microk8s/args/containerd-template.toml": MICROK8S,
                           "rcs.yaml": RUNTIME_CLASSES.split("---")[1].lstrip("\n")})
    doc = check_json("--isolated", "--ignore", "RCL109", ".")
    # no RCL302 for "${RUNTIME}", no RCL304 for "${RUNTIME_TYPE}", no RCL102 for runsc
    assert positions(doc) == [("microk8s/args/containerd-template.toml", 8, 20, "RCL005")]
    [f] = doc["findings"]
    assert f["severity"] == "info"
    assert f["message"] == "containerd config template (${SNAPSHOTTER}) was not linted"
    [finding] = lint(tmp_path, select=["RCL005"]).findings
    assert finding.help == "render it as the node would, then lint the result: rclint check --node-config RENDERED.toml"
    [pool] = nodes_json("--isolated", ".")["pools"]
    assert pool["handlers"] is None and pool["handlers_unknown"].startswith("a template")


def test_helm_style_crio_dropin_template(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path, {
        "etc/crio/crio.conf.d/50-kata": '[crio.runtime.runtimes.kata]\nruntime_path = "{{ .Values.path }}"\n'})
    assert positions(check_json("--isolated", ".")) == [("etc/crio/crio.conf.d/50-kata", 2, 17, "RCL005")]


def test_an_imported_template_makes_the_pool_unknown(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path, {
        "etc/containerd/config.toml": 'version = 2\nimports = ["kata.toml"]\n',
        "etc/containerd/kata.toml": ('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]\n'
                                     '  runtime_type = "$KATA_SHIM"\n'),
    })
    assert positions(check_json("--isolated", ".")) == [("etc/containerd/kata.toml", 2, 19, "RCL005")]
    [pool] = nodes_json("--isolated", ".")["pools"]
    assert pool["handlers"] is None


# --------------------------------------------------------------------------- configuration errors


@pytest.mark.parametrize("name,text,message", [
    ("pyproject.toml", '[project]\nname = "x"\nversion = 1.2.3\n\n[tool.rclint]\nselect = ["RCL1"]\n',
     "pyproject.toml:3:14: invalid TOML: Expected newline or end of document after a statement"),
    ("pyproject.toml", "# [tool.rclint] was meant\ntool = 1\n", "pyproject.toml:2:8: `tool` must be a table ([tool.rclint])"),
    ("pyproject.toml", "[tool]\nrclint = 3\n", "pyproject.toml:2:10: [tool.rclint] must be a table"),
    ("pyproject.toml", '[tool.rclint]\nselect = 1\n', "pyproject.toml:2:10: 'select' must be a list of strings"),
    ("pyproject.toml", "[tool.rclint]\nx = " + "[" * 3000 + "]" * 3000 + "\n",
     "pyproject.toml:2:5: invalid TOML: TOML nesting too deep"),
    ("pyproject.toml", '[tool.rclint]\n\n[[tool.rclint.node-pool]]\nname = "a"\nlabels = { a = 1 }\n',
     "pyproject.toml:5:10: node-pool 'a': 'labels' must be a table of strings"),
    (".rclint.toml", 'select = ["RCL1"]\nseverity = { RCL101 = "loud" }\n',
     ".rclint.toml:2:23: severity.RCL101: unknown severity 'loud' (expected error, warning or info)"),
    (".rclint.toml", "[broken\n", ".rclint.toml:1:8: invalid TOML: Expected ']' at the end of a table declaration"),
    (".rclint.toml", 'select = ["RCL1",\n  "RCL999"]\n',
     ".rclint.toml:2:3: 'select': 'RCL999' matches no rule code or name (codes look like RCL101, a prefix like RCL1, "
     "or a name like unknown-runtime-class)"),
    (".rclint.toml", '[severity]\nRCL101 = "error"\nRCL9 = "error"\n',
     ".rclint.toml:3:1: 'severity': 'RCL9' is not a rule code or name (did you mean RCL109 unused-runtime-class?)"),
    (".rclint.toml", '[[node-pool]]\nname = "a"\nfoo = 1\n',
     ".rclint.toml:3:1: node-pool[0]: unknown key 'foo' (known: containerd, crio, labels, name, nodes, runtime-config, taints)"),
    (".rclint.toml", "node-pool = 1\n",
     ".rclint.toml:1:13: node-pool must be an array of tables ([[node-pool]] / [[tool.rclint.node-pool]])"),
    (".rclint.toml", 'max-file-size = "big"\n', ".rclint.toml:1:17: max-file-size: 'big' is not a size (e.g. 5000000 or '20MiB')"),
    (".rclint.toml", 'node-config = ["rcs.yaml",\n  "nodes/missing"]\n', ".rclint.toml:2:3: nodes/missing: no such file or directory"),
    ("pyproject.toml", '[tool.rclint]\n[[tool.rclint.node-pool]]\nname = "x"\nruntime-config = ["gone/config.toml"]\n',
     "pyproject.toml:4:19: gone/config.toml: no such file or directory"),
])
def test_configuration_errors_point_at_the_place(tmp_path, monkeypatch, name, text, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write_files(tmp_path, {name: text, "rcs.yaml": RUNTIME_CLASSES})
    for cmd in ("check", "nodes"):
        r = invoke(cmd, ".")
        assert r.exit_code == 2
        assert r.stderr == f"rclint: error: {message}\n"


def test_configuration_error_path_is_relative_to_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    write_files(tmp_path, {"pyproject.toml": "[tool.rclint\n", "k8s/rcs.yaml": RUNTIME_CLASSES})
    monkeypatch.chdir(tmp_path / "k8s")
    r = invoke("check", ".")
    assert (r.exit_code, r.stderr) == (2, "rclint: error: ../pyproject.toml:1:13: invalid TOML: "
                                          "Expected ']' at the end of a table declaration\n")


def test_a_broken_pyproject_without_rclint_settings_is_not_ours(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write_files(tmp_path, {"pyproject.toml": "[project\n", "rcs.yaml": RUNTIME_CLASSES})
    assert invoke("check", "--select", "RCL1", ".").exit_code == 0


def test_rclint_toml_wins_over_pyproject_in_the_same_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write_files(tmp_path, {"pyproject.toml": '[tool.rclint]\nselect = 1\n', ".rclint.toml": 'select = ["RCL109"]\n',
                           "rcs.yaml": RUNTIME_CLASSES})
    r = invoke("check", "--format", "json", ".")
    assert r.exit_code == 0, r.output
    assert {f["code"] for f in json.loads(r.stdout)["findings"]} == {"RCL109"}


def test_the_real_corpus_has_no_phantom_pool(shared, tmp_path, monkeypatch):
    """Copied next to a pyproject.toml and a Cargo.toml, the corpus keeps its pools."""
    src = shared / "corpus" / "real"
    dst = tmp_path / "real"
    shutil.copytree(src, dst)
    monkeypatch.chdir(dst)
    before = [p["name"] for p in nodes_json("--isolated", ".")["pools"]]
    write_files(dst, {"pyproject.toml": PROJECT + '[tool.black]\nline-length = 99\n', **UNRELATED})
    assert [p["name"] for p in nodes_json("--isolated", ".")["pools"]] == before


def test_an_import_that_does_not_parse_leaves_the_handlers_unknown(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path, {
        "etc/containerd/config.toml": 'version = 2\nimports = ["kata.toml"]\n',
        "etc/containerd/kata.toml": "[plugins.cri\n",
        "rcs.yaml": RUNTIME_CLASSES.split("---")[1].lstrip("\n"),
    })
    assert positions(check_json("--isolated", "--ignore", "RCL109", ".")) == [("etc/containerd/kata.toml", 1, 13, "RCL002")]
    [pool] = nodes_json("--isolated", ".")["pools"]
    assert (pool["handlers"], pool["handlers_unknown"]) == (None, "import etc/containerd/kata.toml does not parse")


def test_recognition_lines_cannot_start_a_log_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path, {
        "pyproject.toml": ('[tool.rclint]\n[[tool.rclint.node-pool]]\nname = "a\\n::error::x\\u001b[31m"\n'
                           'runtime-config = ["etc/containerd/config.toml"]\n'),
        "etc/containerd/config.toml": 'version = 2\nimports = ["x\\n::warning::y.toml"]\n',
    })
    (tmp_path / ".git").mkdir()
    out = invoke("nodes", ".").stdout
    ours = [line for line in out.splitlines() if line.startswith(("  recognised:", "    (unknown"))]
    assert ours == [
        "  recognised: etc/containerd/config.toml: the runtime-config of node pool a\\n::error::x\\x1b[31m",
        "    (unknown: import 'x\\n::warning::y.toml' could not be read)",
    ]


def test_a_crio_dropin_template_next_to_a_plain_crio_conf(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path, {
        "etc/crio/crio.conf": '[crio.runtime]\ndefault_runtime = "crun"\n',
        "etc/crio/crio.conf.d/10-kata.conf": '[crio.runtime.runtimes.kata]\nruntime_path = "${KATA}"\n',
    })
    assert positions(check_json("--isolated", ".")) == [("etc/crio/crio.conf.d/10-kata.conf", 2, 17, "RCL005")]
    [pool] = nodes_json("--isolated", ".")["pools"]
    assert (pool["name"], pool["handlers"]) == ("etc/crio/crio.conf", None)
