"""The live cluster, read through the user's own kubectl, folded into a small reviewable snapshot.

`rclint snapshot` writes it; `rclint check` reads it like any other manifest file (it is plain
Kubernetes YAML: RuntimeClass objects, and one Node object per group of identical nodes);
`rclint check --cluster` builds the same text in memory.

kubectl does the talking so that every kubeconfig, context and auth plugin the user has works
unchanged; rclint only issues `kubectl get --raw` for two list endpoints (paged), so the RBAC
it needs is `get`/`list` on `runtimeclasses.node.k8s.io` and `nodes`.

What is kept, and why (the rules use nothing else):
- RuntimeClasses as the cluster has them, without server-managed metadata (uid,
  resourceVersion, timestamps, managedFields, kubectl's last-applied annotation).
- For nodes: labels (but `kubernetes.io/hostname`, which names one node), taints (but the
  node-lifecycle taints the node controller and autoscaler add and remove minute by minute),
  `status.runtimeHandlers`, and `status.nodeInfo` container runtime and kubelet versions, OS
  and architecture. Nodes equal in all of that become one Node object named after the first of
  them (by name) with the annotation `rclint.io/node-count`.
Everything is sorted, nothing time-dependent is written: refreshing an unchanged cluster gives
a byte-identical file.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import quote

from rclint.pools import NODE_COUNT_ANNOTATION
from rclint.settings import ConfigError
from rclint.textio import visible

DEFAULT_SNAPSHOT = "cluster-snapshot.yaml"
LIVE_DISPLAY = "<cluster>"  # where findings in the live cluster's objects point
PAGE_SIZE = 500
MAX_PAGES = 1000  # 500,000 objects: far beyond any real cluster, a bound against a looping server
MAX_RESPONSE = 256 * 1024 * 1024

# Taints that describe a node's moment, not its pool: the node lifecycle controller, the cloud
# node controller and the cluster autoscaler add and remove them as nodes come and go.
TRANSIENT_TAINTS = frozenset([
    "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "node.kubernetes.io/unschedulable",
    "node.kubernetes.io/memory-pressure", "node.kubernetes.io/disk-pressure",
    "node.kubernetes.io/pid-pressure", "node.kubernetes.io/network-unavailable",
    "node.kubernetes.io/out-of-service", "node.cloudprovider.kubernetes.io/uninitialized",
    "node.cloudprovider.kubernetes.io/shutdown", "ToBeDeletedByClusterAutoscaler",
    "DeletionCandidateOfClusterAutoscaler",
])
PER_NODE_LABELS = frozenset(["kubernetes.io/hostname"])
SERVER_METADATA = frozenset(["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
                             "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences",
                             "finalizers"])
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
NODE_INFO_KEYS = ("architecture", "containerRuntimeVersion", "kubeletVersion", "operatingSystem")

RUNTIMECLASS_PATHS = ("/apis/node.k8s.io/v1/runtimeclasses", "/apis/node.k8s.io/v1beta1/runtimeclasses")
NODES_PATH = "/api/v1/nodes"


class ClusterError(ConfigError):
    """The cluster could not be read: exit 2 with this one line."""


class _NotFound(Exception):
    pass


@dataclass
class KubectlOptions:
    """How to run kubectl against the cluster."""

    kubectl: str = "kubectl"
    context: Optional[str] = None
    kubeconfig: Optional[str] = None
    timeout: float = 120.0

    def argv(self) -> List[str]:
        out = [self.kubectl]
        if self.kubeconfig:
            out += ["--kubeconfig", self.kubeconfig]
        if self.context:
            out += ["--context", self.context]
        return out


def _explain(stderr: str, path: str, opts: KubectlOptions) -> str:
    """One line for a failed `kubectl get --raw`: what happened and what to do."""
    text = stderr.strip()
    last = visible(text.splitlines()[-1]) if text else "no error text"
    where = f"context {visible(opts.context)}" if opts.context else "the current kubectl context"
    low = text.lower()
    if "forbidden" in low:
        return (f"forbidden to read {path} in {where}: rclint needs get and list on runtimeclasses.node.k8s.io "
                f"and nodes (kubectl said: {last})")
    if "unauthorized" in low or "must be logged in" in low:
        return f"the cluster did not accept the credentials of {where} (401 Unauthorized): log in again and retry"
    if ("unable to connect" in low or "connection refused" in low or "was refused" in low or "no such host" in low
            or "i/o timeout" in low or "dial tcp" in low or "connect: " in low):
        return f"cannot reach the cluster of {where}: {last}"
    if "context" in low and ("does not exist" in low or "not found" in low):
        return f"kubectl has no such context: {last}"
    if "invalid configuration" in low or "no configuration has been provided" in low:
        return f"kubectl has no usable configuration: {last}"
    return f"kubectl get --raw {path} failed: {last}"


def _kubectl_json(opts: KubectlOptions, path: str) -> Dict[str, Any]:
    argv = opts.argv() + ["get", "--raw", path]
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=opts.timeout)
    except FileNotFoundError:
        raise ClusterError(f"kubectl not found (looked for {visible(opts.kubectl)!r}): install kubectl or pass "
                           "--kubectl PATH") from None
    except PermissionError:
        raise ClusterError(f"cannot run {visible(opts.kubectl)}: permission denied") from None
    except subprocess.TimeoutExpired:
        raise ClusterError(f"kubectl did not answer within {opts.timeout:g} s for {path}") from None
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        low = stderr.lower()
        if "notfound" in low.replace(" ", "") or "could not find the requested resource" in low or "404" in low:
            raise _NotFound(path)
        raise ClusterError(_explain(stderr, path, opts))
    if len(proc.stdout) > MAX_RESPONSE:
        raise ClusterError(f"the answer for {path} is over {MAX_RESPONSE // (1024 * 1024)} MiB")
    try:
        data = json.loads(proc.stdout)
    except ValueError as exc:
        raise ClusterError(f"the cluster answered {path} with malformed JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ClusterError(f"the cluster answered {path} with JSON that is not an object")
    return data


def _list(opts: KubectlOptions, path: str) -> List[Dict[str, Any]]:
    items: List[Dict[str, Any]] = []
    token = ""
    for _ in range(MAX_PAGES):
        query = f"?limit={PAGE_SIZE}" + (f"&continue={quote(token, safe='')}" if token else "")
        data = _kubectl_json(opts, path + query)
        page = data.get("items")
        if page is None:
            page = []
        if not isinstance(page, list):
            raise ClusterError(f"the cluster answered {path} with a list whose items are not an array")
        items.extend(i for i in page if isinstance(i, dict))
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        token = meta.get("continue") or ""
        if not isinstance(token, str) or not token:
            return items
    raise ClusterError(f"the cluster kept paging {path} past {MAX_PAGES} pages")


def fetch(opts: KubectlOptions) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """(RuntimeClasses, Nodes) as the cluster serves them."""
    classes: Optional[List[Dict[str, Any]]] = None
    for path in RUNTIMECLASS_PATHS:
        try:
            classes = _list(opts, path)
        except _NotFound:
            continue
        version = path.split("/")[3]
        for rc in classes:  # list items carry no apiVersion/kind
            rc.setdefault("apiVersion", f"node.k8s.io/{version}")
            rc.setdefault("kind", "RuntimeClass")
        break
    if classes is None:
        raise ClusterError("the cluster serves no RuntimeClass API (node.k8s.io/v1 or v1beta1 not found): "
                           "it is older than Kubernetes 1.14 or the API is disabled")
    try:
        nodes = _list(opts, NODES_PATH)
    except _NotFound:
        raise ClusterError(f"the cluster answered {NODES_PATH} with 404 Not Found") from None
    return classes, nodes


# --- folding ---------------------------------------------------------------------------------

def _clean_runtime_class(rc: Dict[str, Any]) -> Dict[str, Any]:
    out: Dict[str, Any] = {"apiVersion": rc.get("apiVersion"), "kind": "RuntimeClass"}
    meta = rc.get("metadata") if isinstance(rc.get("metadata"), dict) else {}
    m: Dict[str, Any] = {}
    for key, value in meta.items():
        if key in SERVER_METADATA or key == "namespace":
            continue
        if key == "annotations" and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k != LAST_APPLIED}
            if not value:
                continue
        m[key] = value
    out["metadata"] = m
    for key, value in rc.items():
        if key not in ("apiVersion", "kind", "metadata", "status"):
            out[key] = value
    return out


def _node_key(node: Dict[str, Any]) -> Tuple[str, Dict[str, Any]]:
    """(name, the parts rules use), normalised so that equal nodes compare equal."""
    meta = node.get("metadata") if isinstance(node.get("metadata"), dict) else {}
    spec = node.get("spec") if isinstance(node.get("spec"), dict) else {}
    status = node.get("status") if isinstance(node.get("status"), dict) else {}
    labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
    labels = {str(k): v for k, v in labels.items() if k not in PER_NODE_LABELS}
    taints = []
    for t in spec.get("taints") or []:
        if isinstance(t, dict) and t.get("key") not in TRANSIENT_TAINTS:
            taints.append({k: v for k, v in t.items() if k != "timeAdded"})
    taints.sort(key=lambda t: json.dumps(t, sort_keys=True))
    handlers = [h for h in (status.get("runtimeHandlers") or []) if isinstance(h, dict)]
    handlers.sort(key=lambda h: str(h.get("name", "")))
    info = status.get("nodeInfo") if isinstance(status.get("nodeInfo"), dict) else {}
    info = {k: info[k] for k in NODE_INFO_KEYS if info.get(k) not in (None, "")}
    parts: Dict[str, Any] = {"labels": labels, "taints": taints, "runtimeHandlers": handlers, "nodeInfo": info}
    return str(meta.get("name", "")), parts


def fold_nodes(nodes: Sequence[Dict[str, Any]]) -> List[Tuple[str, int, Dict[str, Any]]]:
    """[(first node name, how many nodes, shared parts)], sorted by first name."""
    groups: Dict[str, List[Any]] = {}
    for node in nodes:
        name, parts = _node_key(node)
        key = json.dumps(parts, sort_keys=True)
        g = groups.get(key)
        if g is None:
            groups[key] = [name, 1, parts]
        else:
            g[0] = min(g[0], name)
            g[1] += 1
    return sorted(((g[0], g[1], g[2]) for g in groups.values()), key=lambda g: (g[0], json.dumps(g[2], sort_keys=True)))


def _node_object(name: str, count: int, parts: Dict[str, Any]) -> Dict[str, Any]:
    meta: Dict[str, Any] = {"name": name, "annotations": {NODE_COUNT_ANNOTATION: str(count)}}
    if parts["labels"]:
        meta["labels"] = parts["labels"]
    obj: Dict[str, Any] = {"apiVersion": "v1", "kind": "Node", "metadata": meta}
    if parts["taints"]:
        obj["spec"] = {"taints": parts["taints"]}
    status: Dict[str, Any] = {}
    if parts["nodeInfo"]:
        status["nodeInfo"] = parts["nodeInfo"]
    if parts["runtimeHandlers"]:
        status["runtimeHandlers"] = parts["runtimeHandlers"]
    if status:
        obj["status"] = status
    return obj


# --- a small deterministic YAML writer (block style, sorted keys after the conventional ones) --

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9._/-]*$")
_NOT_PLAIN = frozenset(["y", "n", "yes", "no", "on", "off", "true", "false", "null"])
_FIRST_KEYS = ("apiVersion", "kind", "metadata", "name", "handler", "spec", "status")


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value) if abs(value) < 10 ** 18 else json.dumps(str(value))
    if isinstance(value, float):
        return json.dumps(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _NOT_PLAIN:
        return text
    return json.dumps(text, ensure_ascii=True)  # a JSON string is a YAML double-quoted scalar


def _key(key: Any) -> str:
    return _scalar(str(key))


def _ordered(d: Dict[str, Any]) -> List[Tuple[str, Any]]:
    first = [(k, d[k]) for k in _FIRST_KEYS if k in d]
    rest = sorted(((str(k), v) for k, v in d.items() if k not in _FIRST_KEYS), key=lambda kv: kv[0])
    return first + rest


def _emit(value: Any, indent: int, out: List[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for k, v in _ordered(value):
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{_key(k)}:")
                _emit(v, indent + 2 if isinstance(v, dict) else indent, out)
            else:
                out.append(f"{pad}{_key(k)}: {_empty(v) if isinstance(v, (dict, list)) else _scalar(v)}")
    elif isinstance(value, list):
        for item in value:
            if _flat(item):
                out.append(f"{pad}- {_flow(item)}")
            elif isinstance(item, dict) and item:
                sub: List[str] = []
                _emit(item, indent + 2, sub)
                sub[0] = f"{pad}- " + sub[0][indent + 2:]
                out.extend(sub)
            elif isinstance(item, list) and item:
                sub = []
                _emit(item, indent + 2, sub)
                out.append(f"{pad}-")
                out.extend(sub)
            else:
                out.append(f"{pad}- {_empty(item) if isinstance(item, (dict, list)) else _scalar(item)}")
    else:
        out.append(pad + _scalar(value))


def _flat(value: Any, depth: int = 0) -> bool:
    """A small mapping of scalars (or of such mappings): one line in flow style, e.g. a taint."""
    if not isinstance(value, dict) or not value or depth > 1:
        return False
    return all(not isinstance(v, (dict, list)) or (isinstance(v, dict) and _flat(v, depth + 1)) for v in value.values())


def _flow(value: Dict[str, Any]) -> str:
    return "{" + ", ".join(f"{_key(k)}: {_flow(v) if isinstance(v, dict) else _scalar(v)}" for k, v in _ordered(value)) + "}"


def _empty(value: Any) -> str:
    return "{}" if isinstance(value, dict) else "[]"


HEADER = (
    "# Cluster snapshot for rclint: the cluster's RuntimeClasses, and its nodes folded into one Node\n"
    "# object per group of identical nodes (annotation rclint.io/node-count). Written by\n"
    "# `rclint snapshot`; refresh it with the same command rather than editing it by hand.\n"
)


def snapshot_text(classes: Sequence[Dict[str, Any]], nodes: Sequence[Dict[str, Any]]) -> str:
    docs: List[Dict[str, Any]] = []
    cleaned = [_clean_runtime_class(rc) for rc in classes]
    cleaned.sort(key=lambda rc: str(rc["metadata"].get("name", "")))
    docs.extend(cleaned)
    docs.extend(_node_object(name, count, parts) for name, count, parts in fold_nodes(nodes))
    out: List[str] = [HEADER.rstrip("\n")]
    for doc in docs:
        out.append("---")
        _emit(doc, 0, out)
    return "\n".join(out) + "\n"


def summary(classes: Sequence[Dict[str, Any]], nodes: Sequence[Dict[str, Any]]) -> str:
    groups = len(fold_nodes(nodes))
    return (f"{len(classes)} RuntimeClass{'es' if len(classes) != 1 else ''}, {len(nodes)} node"
            f"{'s' if len(nodes) != 1 else ''} in {groups} group{'s' if groups != 1 else ''}")
