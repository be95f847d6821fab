#!/usr/bin/env python3
"""Write the corner-case manifests the kubectl differential test reads (run from anywhere).

Each file name starts with its category; every category of disagreement between libyaml 0.1.7
and the Kubernetes readers (sigs.k8s.io/yaml, go-yaml v2, Go's encoding/json, the Kubernetes
YAML reader) has several files, some with values rules read (parsed in full) and some without
(only syntax-checked). The files are committed; this script documents how they were made.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  runtimeClassName: kata\n  containers: [{{name: c, image: nginx}}]\n"
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  a: b\n"
RC = "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: {name}\nhandler: {handler}\n"


def pod(name="p"):
    return POD.format(name=name)


def cm(name="c"):
    return CM.format(name=name)


def rc(name="kata", handler="kata"):
    return RC.format(name=name, handler=handler)


def jpod(name="p", extra=""):
    return ('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "%s"%s}, '
            '"spec": {"runtimeClassName": "kata", "containers": [{"name": "c", "image": "nginx"}]}}' % (name, extra))


CASES: dict = {}


def case(name: str, content) -> None:
    assert name not in CASES, name
    CASES[name] = content


# 1. ':' inside flow collections (libyaml 0.1.7 refuses, go-yaml reads)
case("flowcolon-image-tag.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: win}\nspec:\n  runtimeClassName: windows\n"
     "  containers: [{name: c, image: mcr.microsoft.com/windows/nanoserver:ltsc2022}]\n")
case("flowcolon-url-seq.yaml", pod() + "  nodeSelector: {kubernetes.io/os: linux}\n  hostAliases: [{ip: 1.2.3.4, hostnames: [http://a.example/x]}]\n")
case("flowcolon-args-url.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      runtimeClassName: gvisor\n"
     "      containers: [{name: c, image: 'x', args: [--url=http://svc:8080/path, a:b]}]\n")
case("flowcolon-configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {urls: '[x]', list: [http://a:1/b]}\n")
case("flowcolon-map-nospace.yaml", pod() + "  nodeSelector: {a:b}\n")
case("flowcolon-seq-pair.yaml", pod() + "  tolerations: [key: a, operator: Exists]\n")
case("flowcolon-ports.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ports}\ndata: {p: [8080:80, '9090:90']}\n")
case("flowcolon-handler.yaml", "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: x}\nhandler: kata\nscheduling: {nodeSelector: {example.com/rt:kata: 'true'}}\n")
case("flowcolon-time.yaml", pod() + "  nodeSelector: {t: [12:30:00]}\n")

# 2. a byte that is not UTF-8
case("nonutf8-comment.yaml", pod().encode() + b"# caf\xe9 cr\xe8me\n")
case("nonutf8-comment-cm.yaml", cm().encode() + b"# \xff\xfe odd\n")
case("nonutf8-value.yaml", b"apiVersion: v1\nkind: Pod\nmetadata: {name: caf\xe9}\nspec: {runtimeClassName: kata}\n")
case("nonutf8-quoted.yaml", b"apiVersion: v1\nkind: Pod\nmetadata: {name: \"a\xc3\"}\nspec: {runtimeClassName: kata}\n")
case("nonutf8-handler.yaml", b"apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: x}\nhandler: k\xe4ta\n")
case("nonutf8-json.json", b'{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "caf\xe9"}, "spec": {"runtimeClassName": "kata"}}\n')

# 3. several JSON objects in one file (jq output), and JSON streams
case("jsonstream-jq.json", jpod("a") + "\n" + jpod("b") + "\n")
case("jsonstream-adjacent.json", jpod("a") + jpod("b"))
case("jsonstream-pretty.json", jpod("a").replace(", ", ",\n  ") + "\n\n" + jpod("b").replace(", ", ",\n  ") + "\n")
case("jsonstream-null.json", jpod("a") + "\nnull\n" + jpod("b") + "\n")
case("jsonstream-nonobject.json", jpod("a") + "\n[1, 2]\n\"text\"\n" + jpod("b") + "\n")
case("jsonstream-garbage-after.json", jpod("a") + "\nkind: Pod\n")
case("jsonstream-rc.json", '{"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": "a"}, "handler": "a"}\n'
     '{"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": "b"}, "handler": "b", '
     '"overhead": {"podFixed": {"cpu": "250m", "memory": 120}}}\n')
case("jsonstream-list.json", '{"apiVersion": "v1", "kind": "List", "items": [' + jpod("a") + ", " + jpod("b") + "]}\n")
case("jsonstream-cm.json", '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}\n{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}\n')
case("jsonstream-longkey.json", '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {"' + "k" * 1500
     + '": "v"}}, "spec": {"runtimeClassName": "kata"}}\n')
case("jsonstream-longkey-yaml.yaml", 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {"' + "k" * 1100 + '": v}\n')
case("jsonstream-dupkeys.json", '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "name": "b"}, "spec": {"runtimeClassName": "x", "runtimeClassName": "kata"}}\n')
case("jsonstream-leading-ws.json", "\n\n   \t" + jpod("a") + "\n")
case("jsonstream-numbers.json", '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "n"}, "spec": {"runtimeClassName": "kata", '
     '"tolerations": [{"key": "a", "tolerationSeconds": 1e2}, {"key": "b", "tolerationSeconds": 18446744073709551615}], "overhead": {"cpu": 0.5}}}\n')

# 4. a BOM at the start of a later document (and at the start of the file)
BOM = "\ufeff"
case("laterbom-second-doc.yaml", pod("a") + "---\n" + BOM + pod("b"))
case("laterbom-third-doc.yaml", cm() + "---\n" + pod("a") + "---\n" + BOM + rc())
case("laterbom-cm.yaml", cm("a") + "---\n" + BOM + cm("b"))
case("laterbom-first.yaml", BOM + pod("a") + "---\n" + BOM + pod("b"))
case("laterbom-json.json", BOM + jpod("a") + "\n")
case("laterbom-comment.yaml", pod("a") + "---\n" + BOM + "# comment\n" + pod("b"))

# 5. '...' followed by more text
case("docend-junk.yaml", pod() + "...\nfoo: [\n")
case("docend-same-line.yaml", pod() + "... trailing words\n")
case("docend-second-doc.yaml", pod("a") + "...\n" + pod("b"))
case("docend-directive.yaml", pod() + "...\n%YAML 1.1\n")
case("docend-cm-junk.yaml", cm() + "...\n}{ not yaml\n")
case("docend-then-sep.yaml", pod("a") + "...\n---\n" + pod("b"))
case("docend-rc.yaml", rc() + "...\n" + rc("other", "other"))

# 6. JSON surrogate-pair escapes
case("surrogate-pair.json", jpod("a", ', "annotations": {"e": "\\ud83d\\ude00"}') + "\n")
case("surrogate-name.json", '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x\\ud83d\\ude00"}, "spec": {"runtimeClassName": "kata"}}\n')
case("surrogate-lone.json", '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a\\ud800b"}, "spec": {"runtimeClassName": "kata"}}\n')
case("surrogate-cm.json", '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"e": "\\uD83D\\uDE00"}}\n')
case("surrogate-yaml-double.yaml", pod() + "  nodeSelector: {e: \"\\ud83d\\ude00\"}\n")
case("surrogate-yaml-cm.yaml", cm() + "  e: \"\\ud83d\\ude00\"\n")
case("surrogate-yaml-U.yaml", pod() + "  nodeSelector: {e: \"\\U0001F600\"}\n")

# 7. \' in double quotes
case("squote-escape-pod.yaml", pod() + "  nodeSelector: {a: \"it\\'s\"}\n")
case("squote-escape-cm.yaml", cm() + "  b: \"don\\'t\"\n")
case("squote-escape-name.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: \"a\\'b\"}\nspec: {runtimeClassName: \"ka\\'ta\"}\n")
case("squote-escape-single.yaml", pod() + "  nodeSelector: {a: 'it\\'s'}\n")
case("squote-escape-plain.yaml", pod() + "  nodeSelector: {a: it\\'s}\n")

# 8. '---' followed by a comment (or blanks)
case("sepcomment-hash.yaml", pod("a") + "---# next\n" + pod("b"))
case("sepcomment-space-hash.yaml", pod("a") + "--- # next\n" + pod("b"))
case("sepcomment-tab.yaml", pod("a") + "---\t\n" + pod("b"))
case("sepcomment-trailing-spaces.yaml", pod("a") + "---   \n" + pod("b"))
case("sepcomment-crlf.yaml", (pod("a") + "---\n" + pod("b")).replace("\n", "\r\n"))
case("sepcomment-cm.yaml", cm("a") + "---#x\n" + cm("b"))
case("sepcomment-leading.yaml", "---# first\n" + rc())
case("sepcomment-empty-docs.yaml", "---\n---\n# c\n---\n" + pod() + "---\n---\n")

# 9. '---' followed by content
case("sepcontent-helm-trim.yaml", pod("a") + "---apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec: {runtimeClassName: kata}\n")
case("sepcontent-flow.yaml", pod("a") + "--- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n")
case("sepcontent-dashes.yaml", pod("a") + "----\n" + pod("b"))
case("sepcontent-block.yaml", cm("a") + "--- |\n  text\n")
case("sepcontent-tag.yaml", pod("a") + "--- !!map\n" + pod("b"))
case("sepcontent-first-line.yaml", "--- apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {runtimeClassName: kata}\n")
case("sepcontent-third.yaml", pod("a") + "---\n" + pod("b") + "---kind: Pod\n" + pod("c"))
case("sepcontent-cm.yaml", cm("a") + "---apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n")

# 10. JSON syntax only YAML allows, in a file starting with '{'
case("jsonyaml-unquoted-keys.json", "{apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {runtimeClassName: kata}}\n")
case("jsonyaml-single-quotes.json", "{'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': 'a'}, 'spec': {'runtimeClassName': 'kata'}}\n")
case("jsonyaml-trailing-comma.json", '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a",}, "spec": {"runtimeClassName": "kata"}}\n')
case("jsonyaml-comment.json", '{"apiVersion": "v1", "kind": "Pod", # a pod\n"metadata": {"name": "a"}, "spec": {"runtimeClassName": "kata"}}\n')
case("jsonyaml-flow-in-yaml-file.yaml", "{apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {runtimeClassName: kata}}\n")
case("jsonyaml-yaml-after.yaml", "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"a\"}, \"spec\": {\"runtimeClassName\": \"kata\"}}\n---\n" + pod("b"))
case("jsonyaml-yaml-in-json-file.json", pod("a"))
case("jsonyaml-list-first.json", "[" + jpod("a") + "]\n")
case("jsonyaml-nan.json", '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}, "spec": {"runtimeClassName": "kata", "x": NaN}}\n')
case("jsonyaml-hex.json", '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}, "spec": {"runtimeClassName": "kata", "x": 0x1F}}\n')
case("jsonyaml-cm.json", "{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n")
case("jsonyaml-escape-x.json", '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a\\x41"}, "spec": {"runtimeClassName": "kata"}}\n')
case("jsonyaml-control-char.json", '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a\tb"}, "spec": {"runtimeClassName": "kata"}}\n')

# 11. %YAML / %TAG directives
case("directive-yaml.yaml", "%YAML 1.1\n---\n" + pod())
case("directive-yaml12.yaml", "%YAML 1.2\n---\n" + rc())
case("directive-tag.yaml", "%TAG !e! tag:example.com,2000:\n---\n" + pod())
case("directive-no-sep.yaml", "%YAML 1.1\n" + pod())
case("directive-cm.yaml", "%YAML 1.1\n---\n" + cm())
case("directive-second-doc.yaml", pod("a") + "---\n%YAML 1.1\n---\n" + pod("b"))

# 12. \/ escapes
case("slash-escape-pod.yaml", pod() + "  nodeSelector: {a: \"x\\/y\"}\n")
case("slash-escape-cm.yaml", cm() + "  u: \"http:\\/\\/x\"\n")
case("slash-escape-single.yaml", pod() + "  nodeSelector: {a: 'x\\/y'}\n")
case("slash-escape-plain.yaml", pod() + "  nodeSelector: {a: x\\/y}\n")
case("slash-escape-json.json", '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a\\/b"}, "spec": {"runtimeClassName": "kata"}}\n')
case("slash-escape-second-doc.yaml", pod("a") + "---\n" + cm("b") + "  u: \"\\/\"\n---\n" + pod("c"))

# 13. '<<' merges
MERGE_BASE = "x-defaults: &d\n  runtimeClassName: gvisor\n  nodeSelector: {pool: a}\n"
case("merge-after-key.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: m}\n" + MERGE_BASE + "spec:\n  runtimeClassName: kata\n  <<: *d\n")
case("merge-before-key.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: m}\n" + MERGE_BASE + "spec:\n  <<: *d\n  runtimeClassName: kata\n")
case("merge-seq.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: m}\na: &a {runtimeClassName: one}\nb: &b {runtimeClassName: two, hostNetwork: true}\nspec:\n  <<: [*a, *b]\n")
case("merge-seq-then-key.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: m}\na: &a {runtimeClassName: one}\nb: &b {runtimeClassName: two}\nspec:\n  hostPID: true\n  <<: [*a, *b]\n  hostIPC: true\n")
case("merge-not-map.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: m}\ns: &s text\nspec:\n  <<: *s\n  runtimeClassName: kata\n")
case("merge-rc.yaml", "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nbase: &b {name: base, labels: {a: b}}\nmetadata:\n  name: own\n  <<: *b\nhandler: kata\n")
case("merge-inline-map.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: m}\nspec:\n  runtimeClassName: kata\n  <<: {runtimeClassName: gvisor}\n")
case("merge-cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nbase: &b {a: 1}\ndata:\n  a: x\n  <<: *b\n")
case("merge-template.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nx: &pod {runtimeClassName: gvisor, hostNetwork: true}\nspec:\n  template:\n    spec:\n      hostNetwork: false\n      <<: *pod\n      containers: [{name: c, image: i}]\n")

# 14. numbers go-yaml (YAML 1.1) reads differently
case("numbers-octal-like.yaml", pod() + "  nodeSelector: {a: 08, b: 09.5, c: 012}\n  tolerations: [{key: k, tolerationSeconds: 08}]\n")
case("numbers-hex-upper.yaml", pod() + "  tolerations: [{key: k, tolerationSeconds: 0X1F}, {key: l, tolerationSeconds: 0x1f}]\n")
case("numbers-prefixes.yaml", pod() + "  tolerations: [{key: a, tolerationSeconds: 0o17}, {key: b, tolerationSeconds: 0B11}, {key: c, tolerationSeconds: 0b1_1}, {key: d, tolerationSeconds: -0b11}]\n")
case("numbers-underscores.yaml", pod() + "  tolerations: [{key: a, tolerationSeconds: 1_000}, {key: b, tolerationSeconds: +12}, {key: c, tolerationSeconds: 1__0}]\n  nodeSelector: {u: _1}\n")
case("numbers-floats.yaml", pod() + "  overhead: {cpu: .5, memory: 1e3}\n  nodeSelector: {a: 1., b: +.5, c: 0., d: 1e400, e: 1e3.5}\n")
case("numbers-huge.yaml", pod() + "  tolerations: [{key: a, tolerationSeconds: 99999999999999999999}, {key: b, tolerationSeconds: 18446744073709551615}, {key: c, tolerationSeconds: -9223372036854775809}]\n")
case("numbers-names.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: 0X1F}\nspec: {runtimeClassName: 08}\n")
case("numbers-handler.yaml", rc("x", "0o17") + "overhead: {podFixed: {cpu: 08, memory: 0X10}}\n")
case("numbers-inf.yaml", pod() + "  nodeSelector: {a: .inf}\n")
case("numbers-nan.yaml", cm() + "  b: .NaN\n")
case("numbers-neg-inf-second.yaml", pod("a") + "---\n" + cm() + "  x: -.Inf\n---\n" + pod("b"))
case("numbers-float-tag.yaml", pod() + "  nodeSelector: {a: !!float 1e400}\n")
case("numbers-timestamps.yaml", pod() + "  nodeSelector: {d: 2001-12-14, t: 2001-12-14T21:59:43.10-05:00, x: 2001-12-14 21:59:43.10}\n")
case("numbers-bools.yaml", pod() + "  hostNetwork: yes\n  hostPID: On\n  hostIPC: n\n  nodeSelector: {a: y, b: NO, c: off}\n")

# 15. lists whose items have no kind
case("podlist-no-kind.yaml", "apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: a}\n  spec: {runtimeClassName: kata}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: b}\n  spec: {runtimeClassName: gvisor}\n")
case("podlist-deployment.yaml", "apiVersion: apps/v1\nkind: DeploymentList\nitems:\n- metadata: {name: d}\n  spec:\n    template:\n      spec: {runtimeClassName: kata, containers: []}\n")
case("podlist-rc.yaml", "apiVersion: node.k8s.io/v1\nkind: RuntimeClassList\nitems:\n- metadata: {name: a}\n  handler: kata\n- metadata: {name: b}\n  handler: gvisor\n")
case("podlist-plain-list.yaml", "apiVersion: v1\nkind: List\nitems:\n- metadata: {name: a}\n  spec: {runtimeClassName: kata}\n")
case("podlist-mixed.yaml", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n  spec: {runtimeClassName: kata}\n"
     "- {apiVersion: v1, metadata: {name: b}}\n- {kind: Pod, metadata: {name: c}}\n- apiVersion: node.k8s.io/v1\n  kind: RuntimeClass\n  metadata: {name: d}\n  handler: d\n")
case("podlist-nested.yaml", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: PodList\n  items:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: a}\n    spec: {runtimeClassName: kata}\n")
case("podlist-items-null.yaml", "apiVersion: v1\nkind: PodList\nitems: null\n---\n" + pod())
case("podlist-items-on-pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: outer}\nspec: {runtimeClassName: outer}\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: inner}\n  spec: {runtimeClassName: kata}\n")
case("podlist-no-apiversion.yaml", "kind: PodList\nitems:\n- metadata: {name: a}\n  spec: {runtimeClassName: kata}\n")
case("podlist-json.json", '{"apiVersion": "v1", "kind": "PodList", "items": [{"metadata": {"name": "a"}, "spec": {"runtimeClassName": "kata"}}]}\n')
case("podlist-kind-only-list.yaml", "items:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n  spec: {runtimeClassName: kata}\n")

# 16. map keys as JSON sees them, and other conversions
case("keys-bool.yaml", pod() + "  nodeSelector: {on: a, y: b, n: c, Off: d}\n")
case("keys-numbers.yaml", pod() + "  nodeSelector: {1: a, 0x10: b, 1.5: c, 010: d, 1e3: e}\n")
case("keys-null.yaml", pod() + "  nodeSelector: {~: a}\n")
case("keys-empty.yaml", cm() + "  : novalue\n")
case("keys-complex-seq.yaml", pod() + "  nodeSelector: {[a, b]: c}\n")
case("keys-explicit-map.yaml", pod() + "  nodeSelector:\n    ? {a: 1}\n    : c\n")
case("keys-explicit-scalar.yaml", pod() + "  nodeSelector:\n    ? a\n    : c\n")
case("keys-duplicate.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  runtimeClassName: gvisor\n  runtimeClassName: kata\n")
case("keys-quoted-bool.yaml", pod() + "  nodeSelector: {\"on\": a, 'y': b}\n")
case("keys-bool-vs-string.yaml", pod() + "  nodeSelector:\n    yes: a\n")

# stream behaviour: errors stop the stream, non-objects are skipped
case("stream-error-middle.yaml", pod("a") + "---\nfoo: [\n---\n" + pod("b"))
case("stream-error-middle-cm.yaml", cm("a") + "---\nfoo: [\n---\n" + cm("b"))
case("stream-nonobject.yaml", pod("a") + "---\n- a\n---\nhello\n---\nfoo: 1\n---\n" + pod("b"))
case("stream-unknown-alias.yaml", pod("a") + "---\n" + cm() + "  x: *nope\n---\n" + pod("b"))
case("stream-tab-indent.yaml", pod("a") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n---\n" + pod("b"))
case("stream-anchors.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: &n a}\nspec:\n  runtimeClassName: *n\n  nodeSelector: &s {a: b}\n  x: *s\n")

# tags
case("tags-int-mismatch.yaml", pod() + "  nodeSelector: {a: !!int abc}\n")
case("tags-str-number.yaml", pod() + "  nodeSelector: {a: !!str 08}\n  tolerations: [{key: k, tolerationSeconds: !!int 0x10}]\n")
case("tags-custom.yaml", pod() + "  nodeSelector: {a: !custom 08}\n")
case("tags-bool-mismatch.yaml", cm() + "  b: !!bool maybe\n")

# found by mutating the cases above and comparing with kubectl
case("laterbom-json-broken.json", "\ufeff" + jpod("a").replace('"image"', "image") + "\n")
case("flowcolon-question-mark.yaml", pod() + "  nodeSelector: {a: nginx?}\n")
case("flowcolon-tab-in-scalar.yaml", pod() + "  nodeSelector: {a\tb: c:d, e: [http://x/y]}\n")
case("flowcolon-anchor-quote.yaml", pod() + "  nodeSelector: {a: b:c, d: &x\"q\"}\n")
case("surrogate-lone-key.yaml", pod() + "  nodeSelector: {\"\\ude00\": a, b: c:d}\n")
case("podlist-bad-apiversion.json", '{"apiVersion": "@node.k8s.io/v1/", "kind": "RuntimeClass", "metadata": {"name": "a"}, "handler": "a"}\n'
     '{"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": "b"}, "handler": "b"}\n')
case("keys-anchor-in-key.yaml", pod() + "  nodeSelector: {&k a: b}\n")
case("keys-anchor-before-flow.yaml", pod() + "  nodeSelector: &a{a: b}\n")
case("flowcolon-anchor-at.yaml", pod() + "  nodeSelector: {a: b:c, d: &x@\"q\"}\n")

# prose: documents no rule reads, whose text looks like an alias, a tag or an infinity only in
# prose (only the syntax is checked; the full parse runs when one may be real)
case("prose-emphasis.yaml", cm() + "  d: the *all* traffic, *x* y\n  e: \"it *is* so\"\n")
case("prose-alias-undefined.yaml", cm() + "  d: *nope\n")
case("prose-alias-flow.yaml", cm() + "  d: {x: &x b, y: *x}\n")
case("prose-alias-flow-undefined.yaml", cm() + "  d: [b, *nope]\n")
case("prose-alias-key.yaml", cm() + "  *nope : x\n")
case("prose-alias-tab.yaml", cm() + "  d:\t*nope\n")
case("prose-dotted.yaml", cm() + "  k: node.info.kubernetes\n  m: x.Inf\n  n: .infinity\n")
case("prose-inf.yaml", cm() + "  k: [.inf]\n")
case("prose-nan.yaml", cm() + "  k: -.NaN\n")
case("prose-bangs.yaml", cm() + "  k: Policy!!\n  m: wow!!int\n")
case("prose-tag.yaml", cm() + "  k: [!!int abc]\n")


def main() -> None:
    for old in HERE.glob("*.yaml"):
        old.unlink()
    for old in HERE.glob("*.json"):
        old.unlink()
    for name, content in CASES.items():
        data = content if isinstance(content, bytes) else content.encode()
        (HERE / name).write_bytes(data)
    print(f"{len(CASES)} cases")


if __name__ == "__main__":
    main()
