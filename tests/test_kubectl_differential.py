"""rclint reads manifests exactly as kubectl does: a differential test against kubectl itself.

kubectl parses offline with `kubectl patch --local -f FILE --type merge -p '{}' -o json`, which
prints every object it would send (the items of a list one by one) and names each file it cannot
parse ("error parsing FILE: ..."; the stream stops there). For every file of the real corpus, the
large corpus and the corner cases in `tests/kubectl_cases/` (several per kind of disagreement
between libyaml and the Kubernetes readers), rclint must

* reject (RCL001, or RCL003/RCL005 for what it cannot read at all) exactly the files kubectl
  fails to parse, when the file looks like a manifest (rclint stays silent on broken YAML that
  is not Kubernetes), both in its default mode (irrelevant documents only syntax-checked) and
  when it parses everything; and
* read the same objects, in the same order, with the same checked values: apiVersion, kind,
  names, handler, scheduling, overhead, and in every pod template runtimeClassName, nodeSelector,
  tolerations, affinity, overhead, host namespaces and privileged.

Files are sent to kubectl in batches, each followed by a marker object so that the output can be
cut back into files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from rclint.kube.objects import POD_SPEC_PATHS, metadata_decodes, objects_in
from rclint.loader import load_manifest_bytes

CASES = Path(__file__).resolve().parent / "kubectl_cases"
KUBECTL = shutil.which("kubectl") or ("/usr/bin/kubectl" if os.path.exists("/usr/bin/kubectl") else None)
MARKER_NAME = "rclint-differential-marker"
MARKER = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": MARKER_NAME}}) + "\n"
BATCH = 300
CATEGORIES = (
    "flowcolon", "nonutf8", "jsonstream", "laterbom", "docend", "surrogate", "squote-escape",
    "sepcomment", "sepcontent", "jsonyaml", "directive", "slash-escape", "merge", "numbers",
    "podlist", "keys",
)

Read = Tuple[bool, List[Any]]  # (rejected, checked values of each object, in order)


@pytest.fixture(scope="module")
def kubectl() -> str:
    if KUBECTL is None:
        pytest.skip("kubectl is not installed (.ci/run installs Debian's kubernetes-client)")
    return KUBECTL


# --------------------------------------------------------------------------- what is compared

def _number(v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return v
    return float(v)


def _normal(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _normal(x) for k, x in sorted(v.items())}
    if isinstance(v, list):
        return [_normal(x) for x in v]
    return _number(v)


def _dig(v: Any, path) -> Any:
    for part in path:
        if not isinstance(v, dict):
            return None
        v = v.get(part)
    return v


def checked(obj: dict) -> dict:
    """The values rclint's rules read from an object."""
    md = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    out: Dict[str, Any] = {
        "apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"),
        "name": md.get("name"), "namespace": md.get("namespace"),
    }
    if obj.get("kind") == "RuntimeClass":
        for key in ("handler", "scheduling", "overhead"):
            out[key] = obj.get(key)
    spec = _dig(obj, POD_SPEC_PATHS.get(obj.get("kind"), ()) or ("-",))
    if isinstance(spec, dict):
        for key in ("runtimeClassName", "nodeSelector", "tolerations", "affinity", "overhead",
                    "hostNetwork", "hostPID", "hostIPC", "hostUsers"):
            out[key] = spec.get(key)
        out["privileged"] = [
            _dig(c, ("securityContext", "privileged")) if isinstance(c, dict) else None
            for group in ("initContainers", "containers", "ephemeralContainers")
            for c in (spec.get(group) if isinstance(spec.get(group), list) else [])
        ]
    return _normal(out)


# --------------------------------------------------------------------------- the two readers

def kubectl_read(kubectl: str, paths: List[Path], scratch: Path) -> Dict[Path, Read]:
    marker = scratch / "marker.json"
    marker.write_text(MARKER)
    out: Dict[Path, Read] = {}
    for start in range(0, len(paths), BATCH):
        batch = paths[start:start + BATCH]
        result = _kubectl_batch(kubectl, batch, marker)
        if result is None:  # kubectl gave up on the whole batch: ask file by file
            for p in batch:
                one = _kubectl_batch(kubectl, [p], marker)
                assert one is not None, f"kubectl gave no answer for {p}"
                out.update(one)
        else:
            out.update(result)
    return out


def _kubectl_batch(kubectl: str, batch: List[Path], marker: Path):
    args = [kubectl, "patch", "--local", "--type", "merge", "-p", "{}", "-o", "json"]
    for p in batch:
        args += ["-f", str(p), "-f", str(marker)]
    proc = subprocess.run(args, capture_output=True, text=True, errors="replace", timeout=600)
    objects = _json_stream(proc.stdout)
    groups: List[List[Any]] = [[]]
    for obj in objects:
        if obj.get("kind") == "ConfigMap" and _dig(obj, ("metadata", "name")) == MARKER_NAME:
            groups.append([])
        elif obj.get("apiVersion"):
            # `patch --local` prints a top-level object without apiVersion too, which `kubectl
            # apply` refuses ("apiVersion not set"); rclint does not take it for an object
            groups[-1].append(checked(obj))
    if len(groups) != len(batch) + 1:
        return None
    return {p: (f"error parsing {p}:" in proc.stderr, groups[i]) for i, p in enumerate(batch)}


def _json_stream(text: str) -> List[Any]:
    decoder = json.JSONDecoder()
    out, i = [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        obj, i = decoder.raw_decode(text, i)
        out.append(obj)


_RFC3339 = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})\Z")


def _kubectl_decodes(value: dict) -> bool:
    """Whether kubectl decodes the object's metadata (ObjectMeta, timestamps in RFC 3339)."""
    if not metadata_decodes(value):
        return False
    md = value.get("metadata") or {}
    times = [md.get("creationTimestamp"), md.get("deletionTimestamp")]
    times += [m.get("time") for m in md.get("managedFields") or [] if isinstance(m, dict)]
    return all(t is None or (isinstance(t, str) and _RFC3339.match(t)) for t in times)


def rclint_read(path: Path) -> Tuple[Read, Read, bool]:
    """(default mode, parse-everything mode, looks like a manifest)."""
    data = path.read_bytes()
    reads = []
    looks = False
    for parse_all in (False, True):
        lf = load_manifest_bytes(str(path), data, max_file_size=10**8, parse_all=parse_all)
        looks = looks or lf.looks_like_manifest
        rejected = any(f.code in ("RCL001", "RCL003", "RCL005") for f in lf.findings)
        # rclint lints objects whose metadata kubectl cannot decode (`name: 2024`) so that rules
        # can say why; kubectl skips them ("unable to decode"). Compare the rest.
        objs = [checked(dict(o.value)) for doc in lf.documents for o in objects_in(doc) if _kubectl_decodes(o.value)]
        reads.append((rejected, objs))
    return reads[0], reads[1], looks


def disagreements(kubectl: str, paths: List[Path], scratch: Path, root: Path) -> List[str]:
    theirs = kubectl_read(kubectl, paths, scratch)
    out = []
    for p in paths:
        k_rejected, k_objects = theirs[p]
        (d_rejected, _d_objects), (a_rejected, a_objects), looks = rclint_read(p)
        name = str(p.relative_to(root))
        if looks or not k_rejected:
            if d_rejected != k_rejected:
                out.append(f"{name}: kubectl {'rejects' if k_rejected else 'accepts'}, rclint (default mode) does not")
            if a_rejected != k_rejected:
                out.append(f"{name}: kubectl {'rejects' if k_rejected else 'accepts'}, rclint (all parsed) does not")
        if a_objects != k_objects:
            out.append(f"{name}: objects differ:\n  kubectl {k_objects}\n  rclint  {a_objects}")
    return out


def _manifests(root: Path) -> List[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".json"))


# --------------------------------------------------------------------------- the tests

def test_every_category_has_corner_cases():
    names = [p.name for p in _manifests(CASES)]
    assert len(names) >= 100
    for category in CATEGORIES:
        assert sum(n.startswith(category + "-") for n in names) >= 3, category


@pytest.mark.parametrize("category", CATEGORIES + ("stream", "tags"))
def test_corner_cases_read_as_kubectl_reads_them(kubectl, tmp_path, category):
    paths = [p for p in _manifests(CASES) if p.name.startswith(category + "-")]
    assert paths
    assert disagreements(kubectl, paths, tmp_path, CASES) == []


def test_real_corpus_read_as_kubectl_reads_it(kubectl, shared, tmp_path):
    root = shared / "corpus" / "real"
    paths = _manifests(root)
    assert len(paths) > 30
    assert disagreements(kubectl, paths, tmp_path, root) == []


@pytest.mark.slow
def test_large_corpus_read_as_kubectl_reads_it(kubectl, shared, tmp_path):
    with tarfile.open(shared / "corpus" / "large" / "kyverno-policies-yaml.tar.gz") as t:
        t.extractall(tmp_path / "corpus")
    root = tmp_path / "corpus"
    paths = _manifests(root)
    assert len(paths) == 6172
    found = disagreements(kubectl, paths, tmp_path, root)
    assert found == [], "\n".join(found[:30])
