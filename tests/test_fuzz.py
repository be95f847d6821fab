"""Property-based fuzzing: generated and mutated manifests, containerd and CRI-O configs and
rclint configurations go through the engine, every reporter and the CLI, and never cause an
internal error (a malformed input is a finding; a malformed rclint configuration is a
configuration error, exit 2 with one line).

Sized to run in about a minute (two under load) in CI (`pytest -q`, no marker needed). The examples are
derandomised so a CI run is reproducible; `RCLINT_FUZZ_RANDOM=1` explores new ones and
`RCLINT_FUZZ_SCALE=10` runs ten times as many.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rclint.catalog import load_catalog
from rclint.cli import main
from rclint.engine import run
from rclint.reporters import FORMATS, get_reporter
from rclint.reporters.nodes import render_nodes
from rclint.settings import ConfigError, load_settings

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCALE = int(os.environ.get("RCLINT_FUZZ_SCALE", "1"))
RANDOM = os.environ.get("RCLINT_FUZZ_RANDOM") == "1"


def fuzz_settings(n: int):
    return settings(max_examples=n * SCALE, deadline=None, derandomize=not RANDOM, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


CRIO_SEED = """[crio.runtime]
default_runtime = "crun"
cgroup_manager = "systemd"
[crio.runtime.runtimes.crun]
runtime_path = "/usr/bin/crun"
runtime_type = "oci"
[crio.runtime.runtimes.kata]
runtime_path = "/usr/bin/containerd-shim-kata-v2"
runtime_type = "vm"
runtime_config_path = "/opt/kata/configuration.toml"
privileged_without_host_devices = true
allowed_annotations = ["io.kubernetes.cri-o.Devices"]
"""
NODE_SEED = """apiVersion: v1
kind: Node
metadata:
  name: n1
  labels: {kubernetes.io/os: linux, katacontainers.io/kata-runtime: "true"}
spec:
  taints: [{key: sandbox, value: kata, effect: NoSchedule}]
status:
  runtimeHandlers:
  - {name: kata, features: {recursiveReadOnlyMounts: true, userNamespaces: true}}
  - {name: runc}
"""
MANIFEST_SEEDS = [(EXAMPLES / "runtimeclasses.yaml").read_text(), (EXAMPLES / "workloads.yaml").read_text(),
                  NODE_SEED]
CONTAINERD_SEEDS = [(EXAMPLES / "nodes/kata/etc/containerd/config.toml").read_text(),
                    (EXAMPLES / "nodes/general/etc/containerd/config.toml").read_text()]
RCLINT_CONFIG_SEED = (EXAMPLES / ".rclint.toml").read_text()

# Fragments that exercise parsers' corners: anchors, merges, tags, templates, huge and odd
# numbers, controls, separators, nesting, TOML tables and arrays.
TOKENS = [
    "&a ", "*a", "<<: *a", "!!int ", "!!str ", "!!binary ", "? ", "{{ .Values.x }}", "---\n", "...\n",
    "0x" + "f" * 4000, "9" * 5000, "1e999", ".nan", "-0", "0o17", "1_000", "null", "~", "yes", "\t", "\r",
    "\x1b[31m", "\u202e", "\u2028", "\ufeff", "\x00", "[", "]", "{", "}", ":", ",", "#", "# rclint: ignore[RCL101]",
    "# rclint: ignore-file[", '"', "'", "\\", "\n  ", "\n- ", "= ", "[[a]]\n", "[a.b]\n", 'x = """', "inf",
    "- - - - - - - - x\n", "[" * 50, "{" * 50, "runtimeClassName: ", "handler: ", "kind: List\nitems:\n",
    "imports = [\"*.toml\"]\n", 'version = 3\n', "é", "\U0001F600",
]


@st.composite
def mutated(draw, seeds):
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "duplicate", "truncate"]))
        pos = draw(st.integers(0, len(text)))
        if op == "insert":
            text = text[:pos] + draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8))) + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 20)):]
        elif op == "replace":
            text = text[:pos] + draw(st.sampled_from(TOKENS)) + text[pos + draw(st.integers(1, 10)):]
        elif op == "duplicate":
            end = min(len(text), pos + draw(st.integers(1, 200)))
            text = text[:end] + text[pos:end] + text[end:]
        else:
            text = text[:pos]
    return text


# values that broke rclint before: huge integers and quantities, controls, injection text
HOSTILE = st.sampled_from(["9" * 5000, "0x" + "f" * 4000, "9" * 5000 + "Mi", "1e999", "1e-999", "0." + "0" * 5000 + "1",
                           "evil\r\n::error file=x,line=1::injected", "\x1b[2J\x1b]0;t\x07", "\u202e\u2028", "\udcff"])
NAMES = st.one_of(st.sampled_from(["kata", "kata-qemu", "runc", "gvisor", "runsc", "", "Kata.QEMU", "a" * 300]),
                  st.text(max_size=20), HOSTILE)
SCALARS = st.one_of(HOSTILE, st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70), st.floats(allow_nan=True),
                    st.text(max_size=20), NAMES, st.integers(10 ** 4000, 10 ** 4000 + 5))
QUANTITY = st.one_of(st.sampled_from(["250m", "1Gi", "160Mi", "0"]), HOSTILE, SCALARS)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=10), inner, max_size=4)),
                      max_leaves=12)


@st.composite
def generated_manifest(draw):
    """RuntimeClasses, Pods, Deployments and Nodes with any value where a value goes."""
    docs = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["RuntimeClass", "Pod", "Deployment", "Node", "List"]))
        name = draw(NAMES)
        if kind == "RuntimeClass":
            doc = {"apiVersion": draw(st.sampled_from(["node.k8s.io/v1", "node.k8s.io/v1beta1", "node.k8s.io/v1alpha1"])),
                   "kind": kind, "metadata": {"name": name}, "handler": draw(st.one_of(NAMES, VALUES)),
                   "overhead": {"podFixed": {"cpu": draw(QUANTITY), "memory": draw(QUANTITY)}},
                   "scheduling": {"nodeSelector": draw(st.dictionaries(st.text(max_size=10), SCALARS, max_size=3)),
                                  "tolerations": draw(st.lists(VALUES, max_size=2))}}
        elif kind in ("Pod", "Deployment"):
            spec = {"runtimeClassName": draw(st.one_of(NAMES, VALUES)), "containers": [{"name": "c", "image": "x"}],
                    "overhead": draw(st.one_of(st.none(), st.fixed_dictionaries({"cpu": QUANTITY}), VALUES)),
                    "nodeSelector": draw(st.one_of(st.none(), st.dictionaries(st.text(max_size=10), SCALARS, max_size=3))),
                    "tolerations": draw(st.lists(VALUES, max_size=2))}
            if kind == "Pod":
                doc = {"apiVersion": "v1", "kind": kind, "metadata": {"name": name}, "spec": spec}
            else:
                doc = {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": draw(NAMES)},
                       "spec": {"template": {"metadata": {"annotations": {"rclint.io/ignore": draw(VALUES)}}, "spec": spec}}}
        elif kind == "Node":
            doc = {"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "labels": draw(VALUES)},
                   "status": {"runtimeHandlers": draw(st.lists(st.fixed_dictionaries({"name": NAMES, "features": VALUES}), max_size=3))}}
        else:
            doc = {"apiVersion": "v1", "kind": "List", "items": draw(st.lists(VALUES, max_size=3))}
        docs.append(json.dumps(doc, allow_nan=True))  # JSON is YAML
    return "\n---\n".join(docs)


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if v != v else ("inf" if v == float("inf") else "-inf" if v == float("-inf") else repr(v))
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v if x is not None) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(x)}" for k, x in v.items() if x is not None) + "}"
    return json.dumps(str(v))


@st.composite
def generated_containerd(draw):
    version = draw(st.one_of(st.sampled_from([1, 2, 3, 4]), st.integers(-5, 10 ** 30)))
    plugin = {1: "cri", 2: '"io.containerd.grpc.v1.cri"'}.get(version, '"io.containerd.cri.v1.runtime"')
    lines = [f"version = {version}", f"[plugins.{plugin}.containerd]",
             f"  default_runtime_name = {_toml_value(draw(st.one_of(NAMES, SCALARS)))}"]
    for _ in range(draw(st.integers(0, 3))):
        name = json.dumps(draw(NAMES))
        lines.append(f"[plugins.{plugin}.containerd.runtimes.{name}]")
        for key in draw(st.lists(st.sampled_from(["runtime_type", "runtime_path", "privileged_without_host_devices",
                                                   "pod_annotations", "sandbox_mode", "snapshotter", "runtime_engine",
                                                   "cgroup_writable", "x"]), max_size=4, unique=True)):
            lines.append(f"  {key} = {_toml_value(draw(st.one_of(NAMES, SCALARS, st.lists(SCALARS, max_size=3))))}")
        if draw(st.booleans()):
            lines.append(f"[plugins.{plugin}.containerd.runtimes.{name}.options]")
            lines.append(f"  SystemdCgroup = {_toml_value(draw(SCALARS))}")
    return "\n".join(lines) + "\n"


RAW_START = ('[', '{', '"') + tuple("0123456789")


@st.composite
def generated_rclint_config(draw):
    keys = draw(st.lists(st.sampled_from(["select", "ignore", "extend-select", "severity", "exclude", "fail-on",
                                           "known-runtime-classes", "max-file-size", "node-config", "bogus"]),
                         max_size=4, unique=True))
    out = []
    for key in keys:
        value = draw(st.one_of(VALUES, st.sampled_from(['"RCL1"', '["RCL101"]', '"20MiB"', '"error"', "{RCL101 = \"info\"}"]),
                               st.sampled_from(["0x" + "f" * 4000, "9" * 5000, '"' + "9" * 5000 + 'MiB"'])))
        raw = isinstance(value, str) and value[:1] in RAW_START  # already TOML text
        out.append(f"{key} = {value if raw else _toml_value(value)}")
    if draw(st.booleans()):
        out.append("[[node-pool]]")
        out.append(f"name = {_toml_value(draw(NAMES))}")
        out.append(f"labels = {_toml_value(draw(VALUES))}")
        out.append(f"runtime-config = {_toml_value(draw(st.one_of(VALUES, st.just(['node/etc/containerd/config.toml']))))}")
    return "\n".join(out) + "\n"


def write_tree(root: Path, manifests: str = "", containerd: str = "", crio: str = "", dropin: str = "",
               config: str = "") -> None:
    def put(rel, text):
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text.encode("utf-8", "surrogatepass"))

    put("manifests.yaml", manifests or "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {runtimeClassName: kata}\n")
    if containerd:
        put("node/etc/containerd/config.toml", containerd)
    if crio:
        put("crio/etc/crio/crio.conf", crio)
    if dropin:
        put("crio/etc/crio/crio.conf.d/10-x.conf", dropin)
    if config:
        put(".rclint.toml", config)


CATALOG = load_catalog()


def lint_and_render(root: Path, isolated: bool = True) -> None:
    """Engine + every reporter + `rclint nodes`, in-process; only ConfigError may escape."""
    old = os.getcwd()
    os.chdir(root)
    try:
        try:
            s = load_settings(["."], isolated=isolated)
            result = run(s)
        except ConfigError:
            return
        for fmt in FORMATS:
            text = get_reporter(fmt)(result, CATALOG)
            assert isinstance(text, str)
            text.encode("utf-8")  # valid UTF-8
        from rclint.engine import load_node_pools

        for fmt in ("text", "json"):
            render_nodes(load_node_pools(s), fmt).encode("utf-8")
    finally:
        os.chdir(old)


def cli_ok(root: Path, *args: str) -> None:
    old = os.getcwd()
    os.chdir(root)
    try:
        res = CliRunner().invoke(main, list(args), catch_exceptions=True, env={"GITHUB_STEP_SUMMARY": None})
    finally:
        os.chdir(old)
    assert res.exit_code in (0, 1, 2), (res.exit_code, res.output, res.exception)
    assert not isinstance(res.exception, Exception) or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "internal error" not in res.output and "Traceback" not in res.output, res.output


def _manifests(text):
    with tempfile.TemporaryDirectory() as d:
        write_tree(Path(d), manifests=text, containerd=CONTAINERD_SEEDS[0])
        lint_and_render(Path(d))


@fuzz_settings(200)
@given(generated_manifest())
def test_generated_manifests_never_cause_an_internal_error(text):
    _manifests(text)


@fuzz_settings(200)
@given(mutated(MANIFEST_SEEDS))
def test_mutated_manifests_never_cause_an_internal_error(text):
    _manifests(text)


def _node_configs(containerd, crio, dropin):
    with tempfile.TemporaryDirectory() as d:
        write_tree(Path(d), manifests=MANIFEST_SEEDS[0] + "\n---\n" + MANIFEST_SEEDS[1],
                   containerd=containerd, crio=crio or CRIO_SEED, dropin=dropin)
        lint_and_render(Path(d))


@fuzz_settings(200)
@given(generated_containerd(), st.one_of(st.just(""), st.builds(lambda v: f"[crio.runtime]\npids_limit = {v}\n", SCALARS)))
def test_generated_node_configs_never_cause_an_internal_error(containerd, dropin):
    _node_configs(containerd, "", dropin)


@fuzz_settings(200)
@given(mutated(CONTAINERD_SEEDS), mutated([CRIO_SEED]), st.one_of(st.just(""), mutated([CRIO_SEED])))
def test_mutated_node_configs_never_cause_an_internal_error(containerd, crio, dropin):
    _node_configs(containerd, crio, dropin)


def _rclint_config(config):
    with tempfile.TemporaryDirectory() as d:
        write_tree(Path(d), manifests=MANIFEST_SEEDS[0] + "\n---\n" + MANIFEST_SEEDS[1],
                   containerd=CONTAINERD_SEEDS[0], config=config)
        lint_and_render(Path(d), isolated=False)


@fuzz_settings(160)
@given(generated_rclint_config())
def test_generated_rclint_configs_are_findings_or_config_errors(config):
    _rclint_config(config)


@fuzz_settings(120)
@given(mutated([RCLINT_CONFIG_SEED]))
def test_mutated_rclint_configs_are_findings_or_config_errors(config):
    _rclint_config(config)


@fuzz_settings(60)
@given(st.one_of(mutated(MANIFEST_SEEDS), generated_manifest()), mutated(CONTAINERD_SEEDS),
       st.one_of(st.just(""), mutated([RCLINT_CONFIG_SEED]), generated_rclint_config()),
       st.sampled_from(FORMATS))
def test_the_cli_never_reports_an_internal_error(manifests, containerd, config, fmt):
    with tempfile.TemporaryDirectory() as d:
        write_tree(Path(d), manifests=manifests, containerd=containerd, config=config)
        cli_ok(Path(d), "check", "--format", fmt, ".")
        cli_ok(Path(d), "nodes", ".")
