"""What a small run pays for at start-up (what a pre-commit hook pays on every commit).

Not timed (speed is measured by `benchmarks/bench.py --case startup`): these tests check the
work a run over one RuntimeClass and one Pod does not do. It imports none of the modules only
other inputs or options need, and it does not parse the rule files.
"""

from __future__ import annotations

import copy
import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

RC = "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: kata\nhandler: kata\n"
POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  runtimeClassName: kata\n"
       "  containers:\n    - name: c\n      image: nginx\n")

# The run imports `rclint.cli` and calls it as the `rclint` command does, with the rule-file
# parser replaced by a tripwire, then prints what it imported.
PROBE = r"""
import json, os, sys
from rclint import catalog

def tripwire():
    raise AssertionError("the rule files were parsed")

catalog.parse_catalog = tripwire
from rclint.cli import main

try:
    main(sys.argv[1:], prog_name="rclint")
except SystemExit as exc:
    code = exc.code
with open(os.environ["RCLINT_PROBE_OUT"], "w") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""

# Modules only some inputs or options need; none is imported by a run over manifests alone.
NEVER = [
    "jsonschema",            # a RuntimeClass the quick schema check cannot pass
    "tomllib", "tomli",      # a pyproject.toml, a node runtime config
    "rclint.tomlsource",
    "rclint.runtimes.base", "rclint.runtimes.containerd", "rclint.runtimes.crio",
    "fractions", "decimal",  # a resource quantity (RuntimeClass overhead, pod overhead)
    "difflib",               # ranking names for a did-you-mean fix, --diff
    "rclint.cache",          # --no-cache
    "rclint.cluster", "rclint.diffbase", "rclint.baseline",
    "multiprocessing", "concurrent.futures", "subprocess",  # worker processes, kubectl, git
    "pathspec",              # exclude patterns or .gitignore files
    "importlib.resources", "importlib.metadata",
    "traceback",             # --debug
    "hashlib", "_hashlib",   # OpenSSL: rclint.digest has the same digests without it
    "yaml",                  # PyYAML: the benchmark's yardstick, never rclint's
]


def _probe(cwd: Path, *args: str) -> dict:
    out = cwd.parent / "probe.json"
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
        # the environment of the tests (the same rclint on the path), without a CI's variables
        env=dict({k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}, RCLINT_PROBE_OUT=str(out)),
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert data["code"] == 0
    data["stdout"] = proc.stdout
    return data


def _small_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "rc.yaml").write_text(RC)
    (root / "pod.yaml").write_text(POD)
    return root


def _check(root: Path, *args: str) -> dict:
    data = _probe(root, "check", ".", "--exit-zero", "--no-color", "--no-cache", *args)
    assert "RCL403" in data["stdout"]  # it did lint: the VM RuntimeClass declares no overhead
    return data


@pytest.mark.parametrize("fmt", ["json", "text", "concise", "sarif", "github", "junit", "gitlab"])
def test_a_small_run_imports_only_what_it_needs(tmp_path, fmt):
    modules = set(_check(_small_repo(tmp_path), "--format", fmt)["modules"])
    assert sorted(m for m in NEVER if m in modules) == []
    assert {"rclint.yamlsource", "rclint.checks.placement"} <= modules
    # the rules' own data only for the reports that describe rules (and never parsed from the
    # rule files: the tripwire); the severities and names come from the small index
    assert ("rclint._rule_data" in modules) == (fmt in ("sarif", "junit", "gitlab"))
    assert "rclint._rule_index" in modules


def test_a_cached_run_needs_no_openssl(tmp_path):
    root = _small_repo(tmp_path)
    args = ("check", ".", "--exit-zero", "--no-color", "--format", "json", "--cache-dir", str(tmp_path / "cache"))
    cold, warm = _probe(root, *args), _probe(root, *args)
    assert warm["stdout"] == cold["stdout"] and "RCL403" in warm["stdout"]
    for run in (cold, warm):
        assert "rclint.cache" in run["modules"]
        assert "hashlib" not in run["modules"] and "_hashlib" not in run["modules"]
    # an answer from the cache parses no YAML and runs no check
    assert {"ruamel.yaml", "rclint.loader", "rclint.checks"} <= set(cold["modules"])
    assert not {"ruamel.yaml", "rclint.yamlsource", "rclint.loader", "rclint.checks", "rclint.inventory"} & \
        set(warm["modules"])


def test_a_run_with_a_node_config_imports_what_the_config_needs(tmp_path):
    """The probe is no formality: it sees the lazy imports happen when the input needs them."""
    root = _small_repo(tmp_path)
    (root / "config.toml").write_text('version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]\n'
                                      'runtime_type = "io.containerd.kata.v2"\n')
    modules = set(_check(root, "--format", "json")["modules"])
    assert {"rclint.runtimes.base", "rclint.runtimes.containerd", "rclint.tomlsource"} <= modules
    assert "tomllib" in modules or "tomli" in modules


def test_rclint_rule_reads_the_generated_rule_data(tmp_path):
    data = _probe(tmp_path, "rule", "RCL101", "--format", "json")
    assert json.loads(data["stdout"])["name"] == "unknown-runtime-class"
    assert "rclint._rule_data" in data["modules"]


# --------------------------------------------------------------------------- rclint.lazyre


def test_a_lazy_pattern_compiles_on_first_use_and_then_acts_as_the_compiled_one():
    from rclint import lazyre

    p = lazyre.compile(r"(\d+)-(\w+)", re.I)
    assert "match" not in vars(p) and "_compiled" not in vars(p)
    real = re.compile(r"(\d+)-(\w+)", re.I)
    text = "x 12-ab 3-C"
    assert p.search(text).groups() == real.search(text).groups()
    assert "search" in vars(p)  # kept: the next call is a plain attribute lookup
    assert [m.span() for m in p.finditer(text)] == [m.span() for m in real.finditer(text)]
    assert p.sub("#", text) == real.sub("#", text)
    assert p.fullmatch("7-z").group(2) == "z" and p.match("nope") is None
    assert p.pattern == real.pattern and p.flags == real.flags and p.groups == 2
    assert repr(p) == repr(real)
    assert lazyre.M is re.M and lazyre.escape is re.escape and lazyre.sub is re.sub


def test_a_lazy_pattern_survives_copying():
    from rclint import lazyre

    p = lazyre.compile("a+")
    for q in (copy.copy(p), copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert q.fullmatch("aaa") is not None


def test_the_runtime_model_is_still_importable_from_the_package():
    import rclint.runtimes as runtimes
    from rclint.runtimes.base import CgroupSetting, Handler, Location, RuntimeConfig

    assert (runtimes.CgroupSetting, runtimes.Handler, runtimes.Location, runtimes.RuntimeConfig) == (
        CgroupSetting, Handler, Location, RuntimeConfig)
    with pytest.raises(AttributeError):
        runtimes.NoSuchThing  # noqa: B018


def test_rule_and_example_are_still_importable_from_the_catalogue():
    from rclint import catalog, ruledata

    assert catalog.Rule is ruledata.Rule and catalog.Example is ruledata.Example
    assert isinstance(catalog.load_catalog()["RCL101"], catalog.Rule)
    with pytest.raises(AttributeError):
        catalog.NoSuchThing  # noqa: B018


def test_digests_without_hashlib_are_hashlibs():
    import hashlib

    from rclint import digest

    for data in (b"", b"rclint", bytes(range(256)) * 99):
        assert digest.sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
        assert digest.blake2b(data, digest_size=20).hexdigest() == hashlib.blake2b(data, digest_size=20).hexdigest()


def test_the_output_sanitisers_fast_paths_agree_with_their_patterns():
    """visible(), escape_surrogates() and json_safe() skip their patterns for plain text: the
    result must be what the patterns give, for every character."""
    import sys

    from rclint import textio

    unsafe = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
    json_unsafe = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        for text in (ch, "a" + ch + "b"):
            assert (textio.visible(text) == text) == (unsafe.search(text) is None), hex(code)
            assert (textio.escape_surrogates(text) == text) == (not 0xD800 <= code <= 0xDFFF), hex(code)
            assert (textio.json_safe(text) == text) == (json_unsafe.search(text) is None), hex(code)
    assert textio.visible("a\nb\x1b[31m") == "a\\nb\\x1b[31m"
    assert textio.json_safe('"x\x7f\u2028"') == '"x\\u007f\\u2028"'
    assert textio.escape_surrogates("caf\udce9") == "caf\\xe9"


def test_the_garbage_collector_is_left_as_it_was(tmp_path, monkeypatch):
    """The collector is off only while modules are imported: on afterwards, and never turned on
    when the caller had turned it off."""
    import gc

    from click.testing import CliRunner

    from rclint.cli import main

    monkeypatch.chdir(_small_repo(tmp_path))
    args = ["check", ".", "--no-cache", "--exit-zero", "--format", "json"]
    assert gc.isenabled()
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0 and "RCL403" in r.stdout
    assert gc.isenabled()
    gc.disable()
    try:
        assert CliRunner().invoke(main, args).stdout == r.stdout
        assert not gc.isenabled()
    finally:
        gc.enable()
    fresh = subprocess.run([sys.executable, "-c", "import gc, rclint.cli; print(gc.isenabled())"],
                           capture_output=True, text=True, timeout=60)
    assert fresh.stdout == "True\n", fresh.stderr
