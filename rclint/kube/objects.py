"""Kubernetes objects inside YAML documents, and where each kind keeps its pod spec."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterator, List, Optional, Tuple

from rclint.model import ObjectRef, Span
from rclint.yamlsource import YamlDoc

Path = Tuple[Any, ...]

# Where the PodSpec lives, per kind (runtimeClassName sits directly inside it).
POD_SPEC_PATHS = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}

RUNTIME_CLASS_GROUP = "node.k8s.io"


@dataclass
class KubeObject:
    """A Kubernetes object: a whole document, or one `items[i]` of a List."""

    doc: YamlDoc
    base: Path
    value: dict

    @property
    def api_version(self) -> Optional[str]:
        v = self.value.get("apiVersion")
        return v if isinstance(v, str) else None

    @property
    def kind(self) -> Optional[str]:
        v = self.value.get("kind")
        return v if isinstance(v, str) else None

    @property
    def metadata(self) -> dict:
        m = self.value.get("metadata")
        return m if isinstance(m, dict) else {}

    @property
    def name(self) -> Optional[str]:
        n = self.metadata.get("name")
        return n if isinstance(n, str) else None

    @property
    def namespace(self) -> Optional[str]:
        n = self.metadata.get("namespace")
        return n if isinstance(n, str) else None

    @property
    def path(self) -> str:
        return self.doc.path

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.api_version, self.kind, self.namespace, self.name)

    def get(self, rel: Path, default: Any = None) -> Any:
        return self.doc.get(self.base + tuple(rel), default)

    def has(self, rel: Path) -> bool:
        sentinel = object()
        return self.get(rel, sentinel) is not sentinel

    def value_span(self, rel: Path) -> Span:
        return self.doc.value_span(self.base + tuple(rel))

    def key_span(self, rel: Path) -> Span:
        return self.doc.key_span(self.base + tuple(rel))

    def describe(self) -> str:
        return self.ref.describe()

    @property
    def is_runtime_class(self) -> bool:
        av = self.api_version or ""
        return self.kind == "RuntimeClass" and av.split("/")[0] == RUNTIME_CLASS_GROUP


@dataclass
class PodSpecRef:
    """A pod spec inside an object: a Pod's own, or a workload's template."""

    obj: KubeObject
    spec_path: Path  # relative to obj

    @cached_property
    def spec(self) -> dict:
        s = self.obj.get(self.spec_path)
        return s if isinstance(s, dict) else {}

    @property
    def template_metadata_path(self) -> Optional[Path]:
        if self.obj.kind == "Pod":
            return None
        return self.spec_path[:-1] + ("metadata",)

    def field(self, *rel: Any) -> Path:
        return self.spec_path + tuple(rel)

    def describe(self) -> str:
        return self.obj.describe()


def is_kube_object(value: Any) -> bool:
    """A mapping with a kind and an apiVersion kubectl can parse (`v1`, `group/version`; one with
    two slashes makes kubectl skip the object: "Object 'Kind' is missing")."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("apiVersion"), str)
        and isinstance(value.get("kind"), str)
        and value["apiVersion"] != ""
        and value["kind"] != ""
        and value["apiVersion"].count("/") <= 1
    )


_META_STRINGS = ("name", "generateName", "namespace", "selfLink", "uid", "resourceVersion",
                 "creationTimestamp", "deletionTimestamp")


def metadata_decodes(value: dict) -> bool:
    """Whether `metadata` decodes into Kubernetes' ObjectMeta, which kubectl requires of every
    object (`name: 1` or `labels: {a: 1}` is "unable to decode": the object is not sent).

    rclint still lints such objects, so that rules (RCL201 for a number as a name) can say
    what is wrong and where; kubectl's message names no line."""
    md = value.get("metadata")
    if md is None:
        return True
    if not isinstance(md, dict):
        return False
    for key in _META_STRINGS:
        v = md.get(key)
        if v is not None and not isinstance(v, str):
            return False
    for key in ("labels", "annotations"):
        v = md.get(key)
        if v is not None and (not isinstance(v, dict) or any(x is not None and not isinstance(x, str) for x in v.values())):
            return False
    v = md.get("finalizers")
    if v is not None and (not isinstance(v, list) or any(x is not None and not isinstance(x, str) for x in v)):
        return False
    for key in ("generation", "deletionGracePeriodSeconds"):
        v = md.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or v != int(v)):
            return False
    for key in ("ownerReferences", "managedFields"):
        v = md.get(key)
        if v is not None and (not isinstance(v, list) or any(x is not None and not isinstance(x, dict) for x in v)):
            return False
    return True


def objects_in(doc: YamlDoc) -> Iterator[KubeObject]:
    """The objects of a document as kubectl sees them: the document itself, or, when it has an
    `items` field (kubectl's test for a list, whatever the kind), each of its items. An item with
    neither `kind` nor `apiVersion` takes the list's kind without `List` and its apiVersion (a
    `PodList`'s items are Pods); an item still lacking either is skipped; a list without a kind,
    or holding an item that is not a mapping or is itself a list, yields nothing (kubectl fails
    on it)."""
    value = doc.value
    if not isinstance(value, dict):
        return
    if "items" not in value:
        if is_kube_object(value):
            yield KubeObject(doc, (), value)
        return
    items = value["items"]
    list_kind = value.get("kind")
    if items is None or not isinstance(list_kind, str) or not list_kind:
        return
    if not isinstance(items, list) or any(not isinstance(i, dict) or "items" in i for i in items):
        return
    list_api = value.get("apiVersion")
    for i, item in enumerate(items):
        kind, api = item.get("kind"), item.get("apiVersion")
        if not kind and not api:
            item_kind = list_kind[:-4] if list_kind.endswith("List") else list_kind
            item = dict(item, kind=item_kind, apiVersion=list_api)
        if is_kube_object(item):
            yield KubeObject(doc, ("items", i), item)


def pod_spec_of(obj: KubeObject) -> Optional[PodSpecRef]:
    path = POD_SPEC_PATHS.get(obj.kind or "")
    if path is None:
        return None
    # Only core/apps/batch kinds carry pod specs; a CRD that reuses a kind name does not.
    av = obj.api_version or ""
    group = av.split("/")[0] if "/" in av else ""
    if group not in ("", "apps", "batch", "extensions"):
        return None
    if not isinstance(obj.get(path), dict):
        return None
    return PodSpecRef(obj, path)


# What the rules read of an object holding a pod spec (rclint.checks, rclint.suppress,
# rclint.fixers): a document that is one such object keeps its kind, apiVersion and metadata,
# and of its pod spec only these (see projection_shape). The pod spec's other keys stay, with
# None values, so that a fix asking whether an entry is its mapping's only one gets the same
# answer; in containers, their securityContext and their volume mounts, the other keys go.
POD_SPEC_FIELDS = frozenset([
    "runtimeClassName", "nodeSelector", "tolerations", "affinity", "nodeName", "os", "overhead",
    "hostUsers", "hostNetwork", "hostPID", "hostIPC", "initContainers", "containers", "ephemeralContainers",
])
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")

# metadata stays whole: what kubectl decodes of it (metadata_decodes) depends on most of its fields
_METADATA_SHAPE = True
_CONTAINER_SHAPE = ("map", {
    "name": True,
    "securityContext": ("map", {"privileged": True}, False),
    "volumeMounts": ("list", ("map", {"recursiveReadOnly": True}, False)),
}, False)
_POD_SPEC_SHAPE = ("map", {**{f: True for f in POD_SPEC_FIELDS},
                           **{g: ("list", _CONTAINER_SHAPE) for g in CONTAINER_LISTS}}, None)


def projection_shape(root) -> Any:
    """What to keep of a document (its root node, see `rclint.yamlsource.parse_chunk`'s
    `shape_of`) that is one object holding a pod spec: what rules read of it (see
    POD_SPEC_FIELDS). None for anything else (a List, an object without a pod spec): all of it
    is kept."""
    from rclint.yamlsource import MappingNode, ScalarNode, scalar_node_value

    if root.__class__ is not MappingNode:
        return None
    top = {}
    for knode, vnode in root.value:
        if knode.__class__ is ScalarNode and knode.value in ("apiVersion", "kind", "items"):
            top[knode.value] = vnode
    if "items" in top or top.keys() != {"apiVersion", "kind"}:
        return None
    value = {}
    for key, vnode in top.items():
        if vnode.__class__ is not ScalarNode:
            return None
        value[key] = scalar_node_value(vnode)
    if not is_kube_object(value):
        return None
    path = POD_SPEC_PATHS.get(value["kind"])
    av = value["apiVersion"]
    if path is None or ("/" in av and av.split("/")[0] not in ("apps", "batch", "extensions")):
        return None
    shape = _POD_SPEC_SHAPE
    for key in reversed(path):  # each mapping on the way keeps its metadata (a pod template's too)
        shape = ("map", {key: shape, "metadata": _METADATA_SHAPE}, None)
    return ("map", {**shape[1], "apiVersion": True, "kind": True}, None)


def pod_specs(objects: List[KubeObject]) -> List[PodSpecRef]:
    out = []
    for obj in objects:
        ref = pod_spec_of(obj)
        if ref is not None:
            out.append(ref)
    return out
