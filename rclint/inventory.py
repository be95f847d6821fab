"""Everything the checks may read, built once from all loaded documents before any check runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, Optional

from rclint.kube.objects import KubeObject, PodSpecRef, objects_in, pod_spec_of
from rclint.kube.runtimeclass import RuntimeClassView
from rclint.loader import LoadedFile

if TYPE_CHECKING:  # annotations only: a run without runtime configs never imports it
    from rclint.runtimes.base import RuntimeConfig


@dataclass
class Inventory:
    """The loaded objects, sorted by what the checks look for."""

    files: List[LoadedFile] = field(default_factory=list)
    objects: List[KubeObject] = field(default_factory=list)
    runtime_classes: List[RuntimeClassView] = field(default_factory=list)
    pod_specs: List[PodSpecRef] = field(default_factory=list)
    known_runtime_classes: List[str] = field(default_factory=list)
    # name -> first RuntimeClass defining it, in input order
    runtime_class_by_name: Dict[str, RuntimeClassView] = field(default_factory=dict)
    runtime_configs: List[RuntimeConfig] = field(default_factory=list)
    kubelet_configs: List[KubeObject] = field(default_factory=list)
    nodes: List[KubeObject] = field(default_factory=list)
    pools: list = field(default_factory=list)  # rclint.pools.NodePool, built after loading
    runtime_findings: int = 0  # how many findings loading the runtime configs gave
    # RuntimeClass names the pod specs of the second pass name (rclint.stream): those pod specs
    # are not in pod_specs, and the rules that ask whether a class is used ask here too
    deferred_classes: set = field(default_factory=set)

    def runtime_class(self, name: str) -> Optional[RuntimeClassView]:
        return self.runtime_class_by_name.get(name)

    def defined_names(self) -> List[str]:
        return sorted(set(self.runtime_class_by_name) | set(self.known_runtime_classes))


def build_inventory(files: List[LoadedFile], known_runtime_classes: List[str]) -> Inventory:
    inv = Inventory(files=files, known_runtime_classes=list(known_runtime_classes))
    for f in files:
        for doc in f.documents:
            for obj in objects_in(doc):
                inv.objects.append(obj)
                if obj.kind == "KubeletConfiguration" and (obj.api_version or "").startswith("kubelet.config.k8s.io/"):
                    inv.kubelet_configs.append(obj)
                    continue
                if obj.kind == "Node" and obj.api_version == "v1":
                    inv.nodes.append(obj)
                    continue
                if obj.is_runtime_class:
                    rc = RuntimeClassView(obj)
                    inv.runtime_classes.append(rc)
                    if rc.name is not None and rc.name not in inv.runtime_class_by_name:
                        inv.runtime_class_by_name[rc.name] = rc
                    continue
                ref = pod_spec_of(obj)
                if ref is not None:
                    inv.pod_specs.append(ref)
    return inv
