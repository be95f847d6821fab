"""`rclint snapshot` and `rclint check --cluster`, run with the real kubectl against a stand-in API
server on 127.0.0.1 that serves recorded list responses (and the errors a real one gives)."""

from __future__ import annotations

import http.server
import json
import os
import random
import shutil
import subprocess
import sys
import threading
from typing import Dict, Tuple

import pytest

from helpers import found, lint, write_files

KUBECTL = shutil.which("kubectl")


def _status(code: int, reason: str, message: str) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}


def make_nodes(n: int = 1000, seed: int = 0) -> list:
    """A node list as a 1,000-node cluster serves it: per-node noise, a handful of real groups."""
    rnd = random.Random(seed)
    pools = [
        ({"pool": "general", "kubernetes.io/os": "linux"}, [], ["", "runc"], "containerd://1.7.27"),
        ({"pool": "sandbox", "kubernetes.io/os": "linux", "sandbox.example.com/enabled": "true"},
         [{"key": "sandbox", "value": "true", "effect": "NoSchedule"}], ["", "runc", "kata", "runsc"],
         "containerd://2.0.5"),
        ({"pool": "gpu", "kubernetes.io/os": "linux"}, [{"key": "nvidia.com/gpu", "effect": "NoSchedule"}],
         ["", "nvidia", "runc"], "containerd://1.7.27"),
        ({"pool": "win", "kubernetes.io/os": "windows"}, [{"key": "os", "value": "windows", "effect": "NoSchedule"}],
         [], "containerd://1.7.20"),
    ]
    zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    nodes = []
    for i in range(n):
        labels, taints, handlers, runtime = pools[i % len(pools)]
        name = f"ip-10-0-{i // 250}-{i % 250}.{labels['pool']}.internal"
        node_taints = [dict(t, timeAdded=f"2026-11-{1 + i % 28:02d}T10:00:00Z") if rnd.random() < 0.3 else dict(t)
                       for t in taints]
        if rnd.random() < 0.02:
            node_taints.append({"key": "node.kubernetes.io/not-ready", "effect": "NoExecute",
                                "timeAdded": "2026-11-29T10:00:00Z"})
        nodes.append({
            "metadata": {
                "name": name, "uid": f"uid-{i}", "resourceVersion": str(1000 + i),
                "creationTimestamp": "2026-11-01T00:00:00Z",
                "labels": dict(labels, **{"kubernetes.io/hostname": name, "topology.kubernetes.io/zone": zones[i % 3]}),
                "annotations": {"node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
            },
            "spec": {"taints": node_taints, "podCIDR": f"10.1.{i % 250}.0/24"},
            "status": {
                "nodeInfo": {"containerRuntimeVersion": runtime, "kubeletVersion": "v1.31.2",
                             "operatingSystem": labels["kubernetes.io/os"], "architecture": "amd64",
                             "machineID": f"m{i}", "bootID": f"b{rnd.random()}"},
                "runtimeHandlers": [{"name": h, "features": {"recursiveReadOnlyMounts": True, "userNamespaces": h != "kata"}}
                                    for h in handlers],
                "conditions": [{"type": "Ready", "status": "True", "lastHeartbeatTime": f"2026-11-29T10:{i % 60:02d}:00Z"}],
                "allocatable": {"cpu": "4", "memory": "16Gi"},
            },
        })
    return nodes


RUNTIME_CLASSES = [
    {"metadata": {"name": "kata", "uid": "u1", "resourceVersion": "5", "creationTimestamp": "2026-01-01T00:00:00Z",
                  "managedFields": [{"manager": "kubectl"}],
                  "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
     "handler": "kata",
     "overhead": {"podFixed": {"cpu": "250m", "memory": "160Mi"}},
     "scheduling": {"nodeSelector": {"sandbox.example.com/enabled": "true"},
                    "tolerations": [{"key": "sandbox", "operator": "Equal", "value": "true", "effect": "NoSchedule"}]}},
    {"metadata": {"name": "gvisor", "uid": "u2"}, "handler": "runsc"},
]


class StandIn:
    """A stand-in API server: `routes[path] = (status, body)`; lists are paged as the real one pages."""

    def __init__(self):
        self.routes: Dict[str, Tuple[int, object]] = {}
        self.requests: list = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                outer.requests.append(self.path)
                path, _, query = self.path.partition("?")
                params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
                code, body = outer.routes.get(path, (404, _status(404, "NotFound", "the server could not find the requested resource")))
                if code == 200 and isinstance(body, dict) and isinstance(body.get("items"), list) and "limit" in params:
                    start = int(params.get("continue") or 0)
                    limit = int(params["limit"])
                    page = dict(body, items=body["items"][start:start + limit],
                                metadata={"continue": str(start + limit)} if start + limit < len(body["items"]) else {})
                    body = page
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.routes["/version"] = (200, {"major": "1", "minor": "31", "gitVersion": "v1.31.2"})
        self.routes["/api"] = (200, {"kind": "APIVersions", "versions": ["v1"]})

    def serve_cluster(self, classes=RUNTIME_CLASSES, nodes=None):
        self.routes["/apis/node.k8s.io/v1/runtimeclasses"] = (200, {"kind": "RuntimeClassList", "apiVersion": "node.k8s.io/v1",
                                                                    "metadata": {"resourceVersion": "77"}, "items": classes})
        self.routes["/api/v1/nodes"] = (200, {"kind": "NodeList", "apiVersion": "v1", "metadata": {"resourceVersion": "78"},
                                              "items": make_nodes() if nodes is None else nodes})

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def apiserver(tmp_path):
    if KUBECTL is None:
        pytest.skip("kubectl is not installed (.ci/run installs it)")
    srv = StandIn()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: standin\n  cluster:\n    server: http://127.0.0.1:{srv.port}\n"
        "- name: nowhere\n  cluster:\n    server: http://127.0.0.1:1\n"  # a closed port: connection refused
        "users:\n- name: reader\n  user:\n    token: not-a-secret\n"
        "contexts:\n- name: standin\n  context:\n    cluster: standin\n    user: reader\n"
        "- name: elsewhere\n  context:\n    cluster: nowhere\n    user: reader\n"
        "current-context: standin\n", encoding="utf-8")
    srv.kubeconfig = str(kubeconfig)
    yield srv
    srv.close()


def rclint(*args, cwd, env_extra=None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("GITHUB_ACTIONS", None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "rclint", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=120, stdin=subprocess.DEVNULL)


def test_snapshot_is_small_deterministic_and_folds_nodes(apiserver, tmp_path):
    apiserver.serve_cluster()
    first = rclint("snapshot", "--kubeconfig", apiserver.kubeconfig, "-o", "one.yaml", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stderr == "rclint: wrote 2 RuntimeClasses, 1000 nodes in 12 groups to one.yaml\n"
    # the same cluster served in another order, with other timestamps and heartbeats: the same bytes
    nodes = make_nodes(seed=1)
    random.Random(5).shuffle(nodes)
    apiserver.serve_cluster(classes=list(reversed(RUNTIME_CLASSES)), nodes=nodes)
    second = rclint("snapshot", "--kubeconfig", apiserver.kubeconfig, "-o", "two.yaml", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    text = (tmp_path / "one.yaml").read_text(encoding="utf-8")
    assert (tmp_path / "two.yaml").read_text(encoding="utf-8") == text
    # paged: 1,000 nodes at 500 a page
    assert [p for p in apiserver.requests if p.startswith("/api/v1/nodes")] == ["/api/v1/nodes?limit=500", "/api/v1/nodes?continue=500&limit=500"] * 2
    # nothing that changes by itself, nothing per node but one name per group
    for noise in ("uid", "resourceVersion", "Timestamp", "timeAdded", "managedFields", "last-applied", "not-ready",
                  "machineID", "bootID", "conditions", "allocatable", "podCIDR", "kubernetes.io/hostname", "ttl"):
        assert noise not in text, noise
    docs = text.split("\n---\n")
    assert len(docs) == 1 + 2 + 12  # header, 2 RuntimeClasses, 12 groups (4 pools x 3 zones)
    assert len(text.splitlines()) < 300
    counts = [int(line.split('"')[1]) for line in text.splitlines() if line.startswith("    rclint.io/node-count: ")]
    assert sorted(counts) == [83] * 8 + [84] * 4 and sum(counts) == 1000
    assert docs[1] == ("apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: gvisor\nhandler: runsc")
    assert docs[3] + "\n" == (
        "apiVersion: v1\nkind: Node\nmetadata:\n  name: ip-10-0-0-0.general.internal\n  annotations:\n"
        "    rclint.io/node-count: \"84\"\n  labels:\n    kubernetes.io/os: linux\n    pool: general\n"
        "    topology.kubernetes.io/zone: eu-west-1a\nstatus:\n  nodeInfo:\n    architecture: amd64\n"
        "    containerRuntimeVersion: \"containerd://1.7.27\"\n    kubeletVersion: v1.31.2\n"
        "    operatingSystem: linux\n  runtimeHandlers:\n"
        "  - {name: \"\", features: {recursiveReadOnlyMounts: true, userNamespaces: true}}\n"
        "  - {name: runc, features: {recursiveReadOnlyMounts: true, userNamespaces: true}}\n")
    # kubectl itself reads the snapshot back (it is plain Kubernetes YAML)
    read = subprocess.run([KUBECTL, "patch", "--local", "-f", str(tmp_path / "one.yaml"), "--type", "merge",
                           "-p", "{}", "-o", "json"], capture_output=True, text=True, timeout=60)
    assert read.returncode == 0, read.stderr


REPO = {
    "runtimeclass.yaml": "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: kata-local\nhandler: kata\n",
    "pods.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: uses-kata\nspec:\n  runtimeClassName: kata\n"
        "  containers:\n  - name: c\n    image: nginx\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: uses-gvisor\nspec:\n  runtimeClassName: gvisor\n"
        "  containers:\n  - name: c\n    image: nginx\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: uses-local\nspec:\n  runtimeClassName: kata-local\n"
        "  containers:\n  - name: c\n    image: nginx\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: typo\nspec:\n  runtimeClassName: katta\n"
        "  containers:\n  - name: c\n    image: nginx\n"
    ),
}


def _repo_findings(result, skip: str):
    return sorted(t for t in found(result) if t[0] != skip)


def test_checks_over_the_snapshot_match_checks_over_the_raw_node_list(apiserver, tmp_path):
    apiserver.serve_cluster()
    snap_repo = tmp_path / "with-snapshot"
    raw_repo = tmp_path / "with-raw-nodes"
    for repo in (snap_repo, raw_repo):
        write_files(repo, REPO)
    done = rclint("snapshot", "--kubeconfig", apiserver.kubeconfig, "-o", "cluster-snapshot.yaml", cwd=snap_repo)
    assert done.returncode == 0, done.stderr
    # what `kubectl get runtimeclasses,nodes -o json` gives, unfolded
    raw = {"apiVersion": "v1", "kind": "List", "items":
           [dict(rc, apiVersion="node.k8s.io/v1", kind="RuntimeClass") for rc in RUNTIME_CLASSES]
           + [dict(n, apiVersion="v1", kind="Node") for n in make_nodes()]}
    (raw_repo / "cluster.json").write_text(json.dumps(raw), encoding="utf-8")
    with_snapshot = lint(snap_repo)
    with_raw = lint(raw_repo)
    got = _repo_findings(with_snapshot, "cluster-snapshot.yaml")
    assert got == _repo_findings(with_raw, "cluster.json")
    assert got == [
        ("pods.yaml", 16, 21, "RCL105"),  # gvisor: runsc only on the tainted sandbox nodes
        ("pods.yaml", 26, 21, "RCL105"),  # kata-local: likewise, and it has no toleration
        ("pods.yaml", 36, 21, "RCL101"),  # katta: neither in the repository nor in the cluster
        # kata-local's handler is only on tainted nodes: its pods are bound to the untainted ones
        ("runtimeclass.yaml", 5, 10, "RCL103"),
        ("runtimeclass.yaml", 5, 10, "RCL403"),  # a VM handler without overhead
    ]
    # the pools: one per group, with its node count
    pools = [p for p in with_snapshot.inventory.pools if p.source == "node"]
    assert len(pools) == 12 and sum(p.nodes for p in pools) == 1000
    assert len([p for p in with_raw.inventory.pools if p.source == "node"]) == 1000


def test_check_cluster_reads_the_live_cluster_like_the_snapshot(apiserver, tmp_path):
    apiserver.serve_cluster()
    write_files(tmp_path, REPO)
    live = rclint("check", "--isolated", "--cluster", "--kubeconfig", apiserver.kubeconfig, "--format", "json", ".",
                  cwd=tmp_path)
    assert live.returncode in (0, 1), live.stderr
    assert not (tmp_path / "cluster-snapshot.yaml").exists()  # --cluster writes nothing
    done = rclint("snapshot", "--kubeconfig", apiserver.kubeconfig, "-o", "cluster-snapshot.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    from_file = rclint("check", "--isolated", "--format", "json", ".", cwd=tmp_path)

    def key(report, cluster_path):
        return sorted((f["path"].replace(cluster_path, "CLUSTER"), f["line"], f["column"], f["code"])
                      for f in json.loads(report)["findings"])

    assert key(live.stdout, "<cluster>") == key(from_file.stdout, "cluster-snapshot.yaml")
    assert any(f["code"] == "RCL101" for f in json.loads(live.stdout)["findings"])


ERRORS = [
    ("401", {"/apis/node.k8s.io/v1/runtimeclasses": (401, _status(401, "Unauthorized", "Unauthorized"))},
     "rclint: error: the cluster did not accept the credentials of the current kubectl context (401 Unauthorized): "
     "log in again and retry\n"),
    ("403", {"/api/v1/nodes": (403, _status(403, "Forbidden", 'nodes is forbidden: User "reader" cannot list resource '
                                                             '"nodes" in API group "" at the cluster scope'))},
     "rclint: error: forbidden to read /api/v1/nodes?limit=500 in the current kubectl context: rclint needs get and list "
     "on runtimeclasses.node.k8s.io and nodes (kubectl said: Error from server (Forbidden): nodes is forbidden: User "
     "\"reader\" cannot list resource \"nodes\" in API group \"\" at the cluster scope)\n"),
    ("404", {"/apis/node.k8s.io/v1/runtimeclasses": None},
     "rclint: error: the cluster serves no RuntimeClass API (node.k8s.io/v1 or v1beta1 not found): it is older than "
     "Kubernetes 1.14 or the API is disabled\n"),
    ("malformed", {"/api/v1/nodes": (200, b'{"kind": "NodeList", "items": [')},
     "rclint: error: the cluster answered /api/v1/nodes?limit=500 with malformed JSON (Expecting value: line 1 column "
     "32 (char 31))\n"),
]


@pytest.mark.parametrize("name,routes,message", ERRORS, ids=[e[0] for e in ERRORS])
@pytest.mark.parametrize("command", ["snapshot", "check"])
def test_server_errors_are_one_line_and_exit_2(apiserver, tmp_path, name, routes, message, command):
    apiserver.serve_cluster(nodes=make_nodes(10))
    for path, answer in routes.items():
        if answer is None:
            del apiserver.routes[path]
        else:
            apiserver.routes[path] = answer
    write_files(tmp_path, REPO)
    args = (["snapshot"] if command == "snapshot" else ["check", "--isolated", "--cluster", "."])
    done = rclint(*args, "--kubeconfig", apiserver.kubeconfig, cwd=tmp_path)
    assert (done.returncode, done.stderr, done.stdout) == (2, message, "")
    assert not (tmp_path / "cluster-snapshot.yaml").exists()


def test_snapshot_never_writes_through_a_symlink(apiserver, tmp_path):
    apiserver.serve_cluster(nodes=make_nodes(4))
    victim = tmp_path / "victim"
    victim.write_text("keep\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    os.symlink(victim, repo / "cluster-snapshot.yaml")  # committed by someone else
    done = rclint("snapshot", "--kubeconfig", apiserver.kubeconfig, cwd=repo)
    assert done.returncode == 2 and done.stderr.startswith("rclint: error: cannot write cluster-snapshot.yaml: ")
    assert victim.read_text() == "keep\n" and not any(p.startswith("/api/v1/nodes") for p in apiserver.requests)


def test_old_cluster_with_only_v1beta1_runtimeclasses(apiserver, tmp_path):
    apiserver.serve_cluster(nodes=make_nodes(4))
    apiserver.routes["/apis/node.k8s.io/v1beta1/runtimeclasses"] = (200, {"kind": "RuntimeClassList", "items": [
        {"metadata": {"name": "old"}, "handler": "kata"}]})
    del apiserver.routes["/apis/node.k8s.io/v1/runtimeclasses"]
    done = rclint("snapshot", "-o", "-", "--kubeconfig", apiserver.kubeconfig, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "apiVersion: node.k8s.io/v1beta1\nkind: RuntimeClass\nmetadata:\n  name: old\nhandler: kata\n" in done.stdout


def test_unreachable_cluster_missing_context_and_missing_kubectl(apiserver, tmp_path):
    refused = rclint("snapshot", "--kubeconfig", apiserver.kubeconfig, "--context", "elsewhere", cwd=tmp_path)
    assert (refused.returncode, refused.stdout) == (2, ""), refused.stderr
    assert refused.stderr.startswith("rclint: error: cannot reach the cluster of context elsewhere: ")
    assert refused.stderr.count("\n") == 1
    no_context = rclint("snapshot", "--kubeconfig", apiserver.kubeconfig, "--context", "nope", cwd=tmp_path)
    assert (no_context.returncode, no_context.stderr) == (
        2, 'rclint: error: kubectl has no such context: error: context "nope" does not exist\n')
    apiserver.close()
    down = rclint("snapshot", "--kubeconfig", apiserver.kubeconfig, cwd=tmp_path)
    assert down.returncode == 2
    assert down.stderr.startswith("rclint: error: cannot reach the cluster of the current kubectl context: ")
    assert down.stderr.count("\n") == 1 and "Traceback" not in down.stderr
    missing = rclint("snapshot", "--kubectl", str(tmp_path / "no-kubectl"), cwd=tmp_path)
    assert (missing.returncode, missing.stderr) == (
        2, f"rclint: error: kubectl not found (looked for {str(tmp_path / 'no-kubectl')!r}): install kubectl or pass "
           "--kubectl PATH\n")
    stray = rclint("check", "--context", "x", ".", cwd=tmp_path)
    assert (stray.returncode, stray.stderr) == (2, "rclint: error: --context and --kubeconfig go with --cluster\n")


def test_rclint_nodes_shows_the_folded_groups_with_their_runtime(apiserver, tmp_path):
    apiserver.serve_cluster(nodes=make_nodes(8))
    done = rclint("snapshot", "--kubeconfig", apiserver.kubeconfig, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    shown = rclint("nodes", "--isolated", "--format", "json", ".", cwd=tmp_path)
    pools = json.loads(shown.stdout)["pools"]
    assert [(p["name"], p["nodes"], p["reported_runtime"]) for p in pools] == [
        ("node/ip-10-0-0-0.general.internal", 1, "containerd://1.7.27"),
        ("node/ip-10-0-0-1.sandbox.internal", 1, "containerd://2.0.5"),
        ("node/ip-10-0-0-2.gpu.internal", 1, "containerd://1.7.27"),
        ("node/ip-10-0-0-3.win.internal", 1, "containerd://1.7.20"),
        ("node/ip-10-0-0-4.general.internal", 1, "containerd://1.7.27"),
        ("node/ip-10-0-0-5.sandbox.internal", 1, "containerd://2.0.5"),
        ("node/ip-10-0-0-6.gpu.internal", 1, "containerd://1.7.27"),
        ("node/ip-10-0-0-7.win.internal", 1, "containerd://1.7.20"),
    ]
    apiserver.serve_cluster(nodes=make_nodes(24))
    assert rclint("snapshot", "--kubeconfig", apiserver.kubeconfig, cwd=tmp_path).returncode == 0
    text = rclint("nodes", "--isolated", ".", cwd=tmp_path).stdout
    assert "node ip-10-0-0-1.sandbox.internal and 1 like it\n  runtime: containerd 2.0.5 (status.nodeInfo of the Node, " \
           "cluster-snapshot.yaml)\n" in text
