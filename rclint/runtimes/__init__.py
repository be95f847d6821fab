"""Node-side runtime configs: containerd (config versions 1-4, imports) and CRI-O (crio.conf,
crio.conf.d). Each loader returns a `RuntimeConfig`: the handlers a RuntimeClass can select,
the default handler, cgroup-driver inputs, notes, and the RCL002/RCL3xx findings."""

from rclint.runtimes.base import CgroupSetting, Handler, Location, RuntimeConfig
from rclint.runtimes.containerd import load_containerd
from rclint.runtimes.crio import find_crio_dropins, load_crio

__all__ = [
    "CgroupSetting",
    "Handler",
    "Location",
    "RuntimeConfig",
    "find_crio_dropins",
    "load_containerd",
    "load_crio",
]
