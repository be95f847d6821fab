"""Work grows linearly with the input where it used to grow quadratically: did-you-mean over
many RuntimeClasses, many suppression comments, a long List with duplicate keys.

Work is counted, not timed: the number of Python lines executed in the modules concerned
(a tracer counts them), for an input of size n and of size 2n in the same run. Linear code
gives a ratio near 2; the quadratic code these replace gave close to 4. Counting is exact and
does not depend on how loaded the machine is.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

from rclint import suggest
from rclint.suggest import Suggester

from helpers import lint, write_files

RCLINT = Path(suggest.__file__).resolve().parent


def lines_executed(fn, modules):
    """Run fn() counting the line events in files under rclint/ whose name ends with one of `modules`."""
    wanted = tuple(str(RCLINT / m) if not m.startswith("/") else m for m in modules)
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame, event, arg):
        if frame.f_code.co_filename.startswith(wanted):
            return local
        return None

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        result = fn()
    finally:
        sys.settrace(old)
    return count, result


def ratio(make, n, modules):
    small, r1 = make(n)
    large, r2 = make(2 * n)
    a, res_a = lines_executed(small, modules)
    b, res_b = lines_executed(large, modules)
    return b / a, res_a, res_b


def test_suggester_is_near_linear_in_names_times_queries():
    def make(n):
        names = [f"rc-{i:05d}" for i in range(n)] + [f"kata-{i}-qemu" for i in range(n)]
        words = [f"rcx{i:05d}" for i in range(n)] + [f"kata-{i}-qmeu" for i in range(n)]

        def go():
            s = Suggester(names)
            return [s.closest(w) for w in words]
        return go, None

    r, a, b = ratio(make, 300, ["suggest.py"])
    assert a[:2] == ["rc-00000", "rc-00001"] and a[300] == "kata-0-qemu"
    assert b[599] == "rc-00599"
    assert r < 2.6, r


def _rcs_and_typos(n):
    docs = [f"apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: rc-{i:05d}\nhandler: h{i}\n"
            for i in range(n)]
    docs += [f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\nspec:\n  runtimeClassName: rcx{i:05d}\n"
             f"  containers:\n  - name: c\n    image: x\n" for i in range(n)]
    return "---\n".join(docs)


def test_did_you_mean_over_many_runtime_classes_is_linear(tmp_path):
    def make(n):
        root = tmp_path / str(n)
        write_files(root, {"all.yaml": _rcs_and_typos(n)})
        return (lambda: lint(root, select=["RCL101"])), None

    r, a, b = ratio(make, 150, ["checks/", "suggest.py", "kube/", difflib.__file__])
    hints = [f.help for f in a.findings]
    assert len(hints) == 150 and hints[7] == "runtimeClassName: rc-00007"
    assert len(b.findings) == 300
    assert r < 2.6, r


def test_many_suppression_comments_are_linear(tmp_path):
    def make(n):
        root = tmp_path / str(n)
        pods = [f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\nspec:\n"
                f"  runtimeClassName: nope  # rclint: ignore[RCL101]\n  containers:\n  - {{name: c, image: x}}\n"
                for i in range(n)]
        write_files(root, {"pods.yaml": "---\n".join(pods)})
        return (lambda: lint(root, select=["RCL101", "RCL006"])), None

    r, a, b = ratio(make, 300, ["suppress.py"])
    assert a.findings == [] and b.findings == []  # every finding suppressed, no suppression unused
    assert r < 2.6, r


def test_list_with_many_duplicate_keys_is_linear(tmp_path):
    def make(n):
        root = tmp_path / str(n)
        items = "".join(f"- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: c{i}\n    name: d{i}\n"
                        f"  spec:\n    runtimeClassName: k\n    containers: [{{name: c, image: x}}]\n"
                        for i in range(n))
        write_files(root, {"list.yaml": "apiVersion: v1\nkind: List\nitems:\n" + items})
        return (lambda: lint(root, select=["RCL004"])), None

    r, a, b = ratio(make, 300, ["checks/objects.py"])
    assert [(f.code, f.span.line, f.object.name) for f in a.findings[:2]] == [
        ("RCL004", 8, "d0"), ("RCL004", 16, "d1")]
    assert len(b.findings) == 600
    assert r < 2.6, r
    r, _a, _b = ratio(make, 300, ["yamlsource.py"])  # finding the duplicates while parsing
    assert r < 2.6, r


def test_did_you_mean_over_many_configured_handlers_is_linear(tmp_path):
    def make(n):
        root = tmp_path / f"h{n}"
        rcs = "".join(f"---\napiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: rc-{i}\nhandler: hx{i:05d}\n"
                      for i in range(n))
        runtimes = "".join(f'[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.h-{i:05d}]\n'
                           f'  runtime_type = "io.containerd.runc.v2"\n' for i in range(n))
        write_files(root, {"rc.yaml": rcs, "node/etc/containerd/config.toml": "version = 2\n" + runtimes})
        return (lambda: lint(root, select=["RCL102"])), None

    r, a, b = ratio(make, 150, ["checks/nodes.py", "suggest.py"])
    assert len(a.findings) == 150 and len(b.findings) == 300
    assert '"h-00007"' in a.findings[7].help
    assert r < 2.6, r


def test_many_containerd_imports_are_linear(tmp_path):
    """Imports: read once per file reached, queued without rescans (100,000 once took minutes)."""
    def make(n):
        root = tmp_path / str(n)
        conf = {f"node/etc/containerd/conf.d/{i:05d}.toml":
                f'[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.r{i}]\n'
                f'  runtime_type = "io.containerd.runc.v2"\n' for i in range(n)}
        # each file imported twice (by its path and through a glob): reached once
        imports = ", ".join(f'"/etc/containerd/conf.d/{i:05d}.toml"' for i in range(n))
        conf["node/etc/containerd/config.toml"] = (
            f'version = 2\nimports = [{imports}, "/etc/containerd/conf.d/*.toml"]\n')
        write_files(root, conf)
        return (lambda: lint(root, select=["RCL102", "RCL311"])), None

    r, a, b = ratio(make, 150, ["runtimes/containerd.py", "fspolicy.py", "runtimes/sources.py"])
    [pool_a] = a.inventory.pools
    [pool_b] = b.inventory.pools
    assert len(pool_a.handlers) == 150 + 1 and len(pool_b.handlers) == 300 + 1  # and the built-in runc
    assert r < 2.6, r
