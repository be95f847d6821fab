"""Node-side runtime configs: containerd (config versions 1-4, imports) and CRI-O (crio.conf,
crio.conf.d). Each loader returns a `RuntimeConfig`: the handlers a RuntimeClass can select,
the default handler, cgroup-driver inputs, notes, and the RCL002/RCL3xx findings.

The loaders and the data model are imported on first use: a run without runtime configs
never needs them."""

__all__ = [
    "CgroupSetting",
    "Handler",
    "Location",
    "RuntimeConfig",
    "find_crio_dropins",
    "load_containerd",
    "load_crio",
]


def __getattr__(name: str):
    if name in ("CgroupSetting", "Handler", "Location", "RuntimeConfig"):
        from rclint.runtimes import base

        return getattr(base, name)
    if name == "load_containerd":
        from rclint.runtimes.containerd import load_containerd

        return load_containerd
    if name in ("find_crio_dropins", "load_crio"):
        from rclint.runtimes import crio

        return getattr(crio, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
