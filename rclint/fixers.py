"""The fix of each fixable rule, computed from a finding, the text it points into and the inventory.

A fixer finds the node its finding is about by the finding's exact position (never by parsing
its message), checks that the text there is what the documents say it is, and returns a Fix
whose edits touch only that node's bytes, or None when the layout is one it cannot edit
safely (a flow mapping where a block is needed, an anchor inside a removed value, ...). Each
rule file says whether its fix is safe or unsafe (`fix:`); the two must agree (a test checks).
"""

from __future__ import annotations

import bisect
import json
from rclint import lazyre as re  # patterns compiled on first use (start-up)
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from rclint.fixes import Source, make_edit
from rclint.kube.runtimeclass import suggested_overhead
from rclint.model import Edit, Finding, Fix, Span

Path = Tuple[Any, ...]
Fixer = Callable[[Finding, Source, Any], Optional[Fix]]

FIXERS: Dict[str, Fixer] = {}
TOML_ONLY = frozenset(["RCL307"])  # fixers that never use YAML positions


def fixer(code: str):
    def register(fn: Fixer) -> Fixer:
        FIXERS[code] = fn
        return fn
    return register


class FixContext:
    """The inventory, with position indexes built once per run (a file with thousands of
    findings must not cost a scan of every object per finding) and a per-file memo."""

    def __init__(self, inventory):
        self.inventory = inventory
        self._index: Dict[Any, dict] = {}
        self.memo: Dict[Any, Any] = {}

    def _build(self, key, f: Finding, what: str, entry: Callable[[Any], Tuple[Any, Path, bool]]):
        """The index of spans of the `what` items (entry(item): their object, the path, whether
        the key is meant), built per document and only for documents that may hold the
        finding's line: spans of documents no finding points into are never recovered."""
        idx = self._index.setdefault(key, {})
        done = self._index.setdefault(key + ("done",), set())
        for doc, items in self._docs(f.path, what):
            if id(doc) in done or not doc.may_hold_line(f.span.line):
                continue
            done.add(id(doc))
            for item in items:
                obj, path, is_key = entry(item)
                if obj.has(path):
                    sp = obj.key_span(path) if is_key else obj.value_span(path)
                    idx.setdefault((obj.path, sp.line, sp.column), item)
        return idx

    def pod_spec_at(self, f: Finding, name: str, key: bool = False):
        """The pod spec whose `name` field (its key, or its value) is where `f` points."""
        idx = self._build(("pod", name, key), f, "pod_specs", lambda ref: (ref.obj, ref.field(name), key))
        return idx.get((f.path, f.span.line, f.span.column))

    def runtime_class_at(self, f: Finding, field: Callable[[Any], Path], kind: str):
        idx = self._build(("rc", kind), f, "runtime_classes", lambda rc: (rc.obj, field(rc), False))
        return idx.get((f.path, f.span.line, f.span.column))

    def _file_items(self, path: str, what: str) -> list:
        groups = self._index.get(("file", what))
        if groups is None:
            groups = {}
            for item in getattr(self.inventory, what):
                where = item.obj.path if hasattr(item, "spec_path") else item.path  # a PodSpecRef has no path
                groups.setdefault(where, []).append(item)
            self._index[("file", what)] = groups
        return groups.get(path, [])

    def _docs(self, path: str, what: str) -> list:
        """[(document, its `what` items)] of a file, in inventory order."""
        per_file = self._index.setdefault(("docs", what), {})
        docs = per_file.get(path)
        if docs is None:
            by_doc: Dict[int, tuple] = {}
            for item in self._file_items(path, what):
                doc = (item.obj if hasattr(item, "obj") else item).doc
                by_doc.setdefault(id(doc), (doc, []))[1].append(item)
            docs = per_file[path] = list(by_doc.values())
        return docs

    def in_file(self, path: str, what: str, line: Optional[int] = None) -> list:
        """The file's `what` (inventory order); with `line`, only those in documents that may hold it."""
        if line is None:
            return self._file_items(path, what)
        return [item for doc, items in self._docs(path, what) if doc.may_hold_line(line) for item in items]


def _at(span: Optional[Span], f: Finding) -> bool:
    return span is not None and (span.line, span.column) == (f.span.line, f.span.column)


# --------------------------------------------------------------------------- YAML text helpers

_PLAIN_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*\Z")
_ANCHOR_OR_MERGE = re.compile(r"(?:^|[\s,\[{:-])[&*][^\s,\]}]|<<\s*:")


_MISSING = object()


def _exists(doc, path: Path) -> bool:
    return doc.get(tuple(path), _MISSING) is not _MISSING


def _pos(doc, path: Path) -> Optional[Span]:
    """The span of the value at `path`, or None when the document has no such node (only the
    documents' public span lookups are used: how they store positions is theirs)."""
    return doc.value_span(tuple(path)) if _exists(doc, path) else None


def _kpos(doc, path: Path) -> Optional[Span]:
    """The span of the mapping key holding `path`, or None (no such node, or not a mapping key)."""
    path = tuple(path)
    if not path or isinstance(path[-1], int) or not isinstance(doc.get(path[:-1]), dict) or not _exists(doc, path):
        return None
    return doc.key_span(path)


def _walk(value: Any, path: Path):
    """(path, value) of `value` and every node below it, in document order."""
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, path + (i,))


def yaml_scalar_text(old_text: str, new_value: str) -> Optional[str]:
    """`new_value` written the way `old_text` (a scalar's source) was: plain, '...' or "..."."""
    if old_text.startswith('"'):
        return json.dumps(new_value, ensure_ascii=False)
    if old_text.startswith("'"):
        return "'" + new_value.replace("'", "''") + "'"
    if old_text[:1] in ("|", ">", "!", "&", "*") or "\n" in old_text:
        return None
    from rclint.yamlsource import type_plain_scalar

    if _PLAIN_SAFE.match(new_value) and type_plain_scalar(new_value) == new_value:
        return new_value
    return json.dumps(new_value, ensure_ascii=False)


def _scalar_matches(src: Source, span: Span, value: Any) -> Optional[Tuple[int, int, str]]:
    """(start, end, text) of a scalar whose source text decodes to `value`, else None."""
    r = src.range(span)
    if r is None:
        return None
    text = src.text[r[0]:r[1]]
    if not isinstance(value, str) or not text:
        return None
    if text == value:
        return r[0], r[1], text
    if len(text) >= 2 and text[0] == text[-1] == "'" and text[1:-1].replace("''", "'") == value:
        return r[0], r[1], text
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            if json.loads(text) == value:
                return r[0], r[1], text
        except ValueError:
            return None
    return None


def replace_scalar(src: Source, span: Optional[Span], old_value: Any, new_value: str) -> Optional[Edit]:
    """An edit writing `new_value` over the scalar (value or key) at `span`, in its quoting style."""
    if span is None:
        return None
    m = _scalar_matches(src, span, old_value)
    if m is None:
        return None
    text = yaml_scalar_text(m[2], new_value)
    if text is None:
        return None
    return make_edit(src, m[0], m[1], text)


def _content_end(src: Source, doc, path: Path) -> Optional[int]:
    """Where the value at `path` really ends: its last descendant's end (a block collection's own
    end mark lies at the next token, past comments that belong to what follows)."""
    best = None
    for p, value in _walk(doc.get(tuple(path)), tuple(path)):
        t = doc.value_span(p)
        if isinstance(value, (dict, list)):
            start = src.offset(t.line, t.column)
            if start is None or src.text[start:start + 1] not in ("{", "["):
                continue  # a block collection: its end mark is the next token's start
        if t.end_line is None or t.end_column is None:
            return None
        off = src.offset(t.end_line, t.end_column)
        if off is None:
            return None
        if best is None or off > best:
            best = off
    return best


def _is_flow(src: Source, doc, path: Path) -> bool:
    sp = _pos(doc, path)
    off = src.offset(sp.line, sp.column) if sp else None
    return off is not None and src.text[off:off + 1] in ("{", "[")


def block_entry_range(src: Source, doc, path: Path) -> Optional[Tuple[int, int]]:
    """The whole lines holding the block-mapping entry at `path` (key, value, its trailing comment)."""
    kspan = _kpos(doc, path)
    if kspan is None or _is_flow(src, doc, path[:-1]):
        return None
    k = src.offset(kspan.line, kspan.column)
    end = _content_end(src, doc, path)
    if k is None or end is None or end < k or _scalar_matches(src, kspan, path[-1]) is None:
        return None  # the text at the key's position is not the key: positions and text disagree
    ls = src.line_start(k)
    if src.text[ls:k].strip(" \t"):
        return None  # "- key:" or another node before the key on its line
    if src.line_start(end) == end and end > k:  # a block scalar ends at the start of a line
        stop = end
    else:
        le = src.line_end(end)
        tail = src.text[end:le].rstrip("\r")
        if tail.strip() and not tail.strip().startswith("#"):
            return None
        stop = le + 1 if le < len(src.text) else le
    region = src.text[k:stop]
    if _ANCHOR_OR_MERGE.search(region):
        return None  # an anchor others may use, or a merge: not a plain removal
    return ls, stop


def flow_entry_range(src: Source, doc, path: Path) -> Optional[Tuple[int, int]]:
    """`key: value` in a flow mapping with the separator next to it."""
    kspan = _kpos(doc, path)
    end = _content_end(src, doc, path)
    if kspan is None or end is None:
        return None
    k = src.offset(kspan.line, kspan.column)
    if k is None or _scalar_matches(src, kspan, path[-1]) is None:
        return None
    if _ANCHOR_OR_MERGE.search(src.text[k:end]):
        return None
    m = re.compile(r"\s*,[ \t]*").match(src.text, end)
    if m:
        return k, m.end()
    m = re.search(r",\s*\Z", src.text[:k])
    if m:
        return m.start(), end
    return None


def remove_entries(src: Source, doc, paths: List[Path], allow_parent: bool = True) -> Optional[List[Tuple[int, int]]]:
    """Offsets to delete so that the sibling entries `paths` are gone. When they are all their
    mapping has, the mapping's own entry goes instead (once), so no empty `key:` (null) is left."""
    parent = paths[0][:-1]
    holder = doc.get(parent)
    if not isinstance(holder, dict) or not paths:
        return None
    if all(p[-1] in holder for p in paths) and set(holder) <= {p[-1] for p in paths}:
        if not allow_parent or not parent or isinstance(parent[-1], int):
            return None
        return remove_entries(src, doc, [parent], allow_parent=False)
    flow = _is_flow(src, doc, parent)
    out = []
    for p in paths:
        r = flow_entry_range(src, doc, p) if flow else block_entry_range(src, doc, p)
        if r is None:
            return None
        out.append(r)
    out.sort()
    if any(a[1] > b[0] for a, b in zip(out, out[1:])):
        return None
    return out


def _indent_unit(src: Source, doc, path: Path) -> int:
    """The document's indentation step: how far a block mapping's keys sit right of its key."""
    for p, value in _walk(doc.get(tuple(path)), tuple(path)):
        if len(p) > len(path) and isinstance(value, dict) and value and not isinstance(p[-1], int):
            parent, child = _kpos(doc, p), _kpos(doc, p + (next(iter(value)),))
            if parent is not None and child is not None and child.line > parent.line and child.column > parent.column:
                return child.column - parent.column
    return 2


# --------------------------------------------------------------------------- RCL206


@fixer("RCL206")
def fix_removed_api_version(f: Finding, src: Source, ctx: FixContext) -> Optional[Fix]:
    rc = ctx.runtime_class_at(f, lambda rc: ("apiVersion",), "apiVersion")
    for rc in [rc] if rc is not None else []:
        obj = rc.obj
        if obj.path != f.path or not _at(obj.value_span(("apiVersion",)), f):
            continue
        doc, base = obj.doc, obj.base
        api = replace_scalar(src, _pos(doc, base + ("apiVersion",)), obj.api_version, "node.k8s.io/v1")
        if api is None:
            return None
        if rc.version == "v1beta1":
            return Fix("safe", "change apiVersion to node.k8s.io/v1", (api,))
        if rc.version != "v1alpha1":
            return None
        spec = obj.get(("spec",))
        if not isinstance(spec, dict) or not spec or not set(spec) <= {"runtimeHandler", "overhead", "scheduling"}:
            return None
        if any(k in obj.value for k in ("handler", "overhead", "scheduling")):
            return None
        moved = _hoist_spec(src, doc, base + ("spec",))
        if moved is None:
            return None
        return Fix("safe", "rewrite as node.k8s.io/v1: spec.runtimeHandler becomes handler, overhead and "
                           "scheduling move to the top level", (api, moved))
    return None


def _hoist_spec(src: Source, doc, spec: Path) -> Optional[Edit]:
    """Replace the block `spec:` entry by its own entries one level up, runtimeHandler renamed."""
    kspan, first = _kpos(doc, spec), None
    value = doc.get(spec)
    children = [_kpos(doc, spec + (k,)) for k in value] if isinstance(value, dict) else []
    if kspan is None or not children or None in children or _is_flow(src, doc, spec):
        return None
    first = min(children)
    if first.line <= kspan.line or any(c.column != first.column for c in children):
        return None
    k = src.offset(kspan.line, kspan.column)
    r = block_entry_range(src, doc, spec)
    if k is None or r is None:
        return None
    ls, stop = r
    head_end = src.line_end(k)
    head = re.fullmatch(r"(?:spec|\"spec\"|'spec')[ \t]*:[ \t]*(#.*)?", src.text[k:head_end].rstrip("\r"))
    if head is None:
        return None  # a tag or an anchor on the `spec:` line: not a plain mapping to hoist
    depth = first.column - kspan.column
    handler_key = _kpos(doc, spec + ("runtimeHandler",))
    body_start = head_end + 1
    lines = src.text[body_start:stop].split("\n")
    out = []
    line_no = src.position(body_start)[0]
    for i, line in enumerate(lines):
        no = line_no + i
        if handler_key is not None and no == handler_key.line:
            col = handler_key.column - 1
            key_text = line[col:handler_key.end_column - 1]
            if key_text not in ("runtimeHandler", '"runtimeHandler"', "'runtimeHandler'"):
                return None
            line = line[:col] + key_text.replace("runtimeHandler", "handler") + line[handler_key.end_column - 1:]
        lead = len(line) - len(line.lstrip(" "))
        if lead >= depth:
            line = line[depth:]
        elif line.strip(" \t\r") == "" or line.lstrip(" ").startswith("#"):
            line = line[lead:]
        else:
            return None
        out.append(line)
    if head.group(1):  # the comment of the `spec:` line stays, on a line of its own
        cr = "\r" if src.text[head_end - 1:head_end] == "\r" else ""
        out.insert(0, src.text[ls:k] + head.group(1) + cr)
    return make_edit(src, ls, stop, "\n".join(out))


# --------------------------------------------------------------------------- RCL207

def _ga_node_labels() -> Dict[str, str]:
    """Deprecated node label key -> its GA key (only those replaced by another label key)."""
    from rclint.kube.validation import DEPRECATED_NODE_LABELS

    return {old: new for old, new in DEPRECATED_NODE_LABELS.items() if "/" in new and " " not in new}


@fixer("RCL207")
def fix_deprecated_node_label(f: Finding, src: Source, ctx: FixContext) -> Optional[Fix]:
    for rc in ctx.in_file(f.path, "runtime_classes", f.span.line):
        obj = rc.obj
        sel = rc.node_selector
        if obj.path != f.path or not isinstance(sel, dict):
            continue
        for key in sel:
            path = rc.field_path("scheduling", "nodeSelector", key)
            if not _at(obj.key_span(path), f):
                continue
            ga = _ga_node_labels().get(key)
            if ga is None or ga in sel:
                return None
            edit = replace_scalar(src, _kpos(obj.doc, obj.base + path), key, ga)
            return Fix("safe", f'replace the node label "{key}" with "{ga}"', (edit,)) if edit else None
    return None


# --------------------------------------------------------------------------- RCL107


@fixer("RCL107")
def fix_pod_overhead(f: Finding, src: Source, ctx: FixContext) -> Optional[Fix]:
    ref = ctx.pod_spec_at(f, "overhead", key=True)
    for ref in [ref] if ref is not None else []:
        obj = ref.obj
        path = ref.field("overhead")
        if obj.path != f.path or not _at(obj.key_span(path), f):
            continue
        ranges = remove_entries(src, obj.doc, [obj.base + path], allow_parent=False)
        if not ranges:
            return None
        return Fix("safe", "remove spec.overhead (the RuntimeClass admission plugin fills it in)",
                   tuple(make_edit(src, a, b, "") for a, b in ranges))
    return None


# --------------------------------------------------------------------------- RCL101


@fixer("RCL101")
def fix_unknown_runtime_class(f: Finding, src: Source, ctx: FixContext) -> Optional[Fix]:
    from rclint.suggest import Suggester

    ref = ctx.pod_spec_at(f, "runtimeClassName")
    if ref is None:
        return None
    obj, path = ref.obj, ref.field("runtimeClassName")
    name = obj.get(path)
    if not isinstance(name, str):
        return None
    if "rcl101" not in ctx.memo:  # built once a run: n findings must not cost n scans of n classes
        owners: Dict[str, set] = {}
        for rc in ctx.inventory.runtime_classes:
            if rc.name and rc.handler_str:
                owners.setdefault(rc.handler_str, set()).add(rc.name)
        ctx.memo["rcl101"] = (owners, Suggester(ctx.inventory.defined_names()))
    owners, suggester = ctx.memo["rcl101"]
    classes = sorted(owners.get(name, ()))
    if len(classes) == 1:
        target, why = classes[0], f'"{name}" is the handler of RuntimeClass "{classes[0]}"'
    elif classes:
        return None  # the handler of several classes: no clear choice
    else:
        target = suggester.closest(name)  # None when two names are equally close
        if target is None or target == name:
            return None
        why = f'"{target}" is the closest RuntimeClass name'
    edit = replace_scalar(src, obj.value_span(path), name, target)
    return Fix("unsafe", f'change runtimeClassName to "{target}" ({why})', (edit,)) if edit else None


def _ratio(a: str, b: str) -> float:
    import difflib  # only here: it costs start-up

    return difflib.SequenceMatcher(None, a, b).ratio()


# --------------------------------------------------------------------------- RCL403

@fixer("RCL403")
def fix_vm_overhead(f: Finding, src: Source, ctx: FixContext) -> Optional[Fix]:
    rc = ctx.runtime_class_at(f, lambda rc: rc.handler_path, "handler")
    for rc in [rc] if rc is not None else []:
        obj = rc.obj
        if obj.path != f.path or not _at(obj.value_span(rc.handler_path), f) or rc.base:
            continue
        handler = rc.handler_str
        if handler is None:
            return None
        memory, cpu = suggested_overhead(handler)  # what the finding's help suggests
        what = f"add overhead.podFixed (memory: {memory}, cpu: {cpu}, kata-deploy's values for this hypervisor)"
        doc, base = obj.doc, obj.base
        overhead = obj.get(("overhead",))
        flow_values = f"{{memory: {memory}, cpu: {cpu}}}"
        if "overhead" not in obj.value:
            hpath = base + ("handler",)
            hk, hv = _kpos(doc, hpath), _pos(doc, hpath)
            if hk is None or hv is None or _is_flow(src, doc, base) or hv.end_line != hk.line:
                return None
            k = src.offset(hk.line, hk.column)
            if k is None or src.text[src.line_start(k):k].strip(" \t"):
                return None
            at = src.line_end(k)
            tail = src.text[src.offset(hv.end_line, hv.end_column) or at:at].strip()
            if tail and not tail.startswith("#"):
                return None
            nl = src.newline()
            ind, unit = " " * (hk.column - 1), " " * _indent_unit(src, doc, base)
            block = (f"{ind}overhead:{nl}{ind}{unit}podFixed:{nl}{ind}{unit}{unit}memory: {memory}{nl}"
                     f"{ind}{unit}{unit}cpu: {cpu}")
            if at < len(src.text):
                edit = make_edit(src, at + 1, at + 1, block + nl)
            else:
                edit = make_edit(src, at, at, nl + block)
            return Fix("unsafe", what, (edit,))
        if isinstance(overhead, dict) and not overhead.get("podFixed"):
            target = base + ("overhead", "podFixed") if "podFixed" in overhead else base + ("overhead",)
            sp = _pos(doc, target)
            text = src.slice(sp) if sp else None
            if text is None or text.strip() != "{}":
                return None
            r = src.range(sp)
            new = flow_values if target[-1] == "podFixed" else f"{{podFixed: {flow_values}}}"
            return Fix("unsafe", what, (make_edit(src, r[0], r[1], new),))
        return None
    return None


# --------------------------------------------------------------------------- RCL307

_RENAMED = {"sandbox_mode": "sandboxer"}


@fixer("RCL307")
def fix_unknown_runtime_key(f: Finding, src: Source, ctx: FixContext) -> Optional[Fix]:
    from rclint.runtimes.base import known_keys, suggest

    doc = _toml_doc(src, ctx)
    if doc is None:
        return None
    found = _toml_keys_at(doc, ctx, src).get((f.span.line, f.span.column), [])
    if len(found) != 1:
        return None
    path = found[0]
    schema = _runtime_schema(path)
    if schema is None or not isinstance(path[-1], str):
        return None
    key = path[-1]
    table = doc.get(path[:-1])
    if not isinstance(table, dict):
        return None
    known = known_keys(schema)
    guess = suggest(key, known)
    if guess == key:
        guess = _RENAMED.get(key) if _RENAMED.get(key) in known else None
        safe = guess is not None
    else:
        safe = guess is not None and _clear_choice(key, guess, known)
    if guess is None or guess in table or any(k.lower() == guess.lower() for k in table if k != key):
        return None
    span = doc.key_span(path)
    r = src.range(span)
    if r is None:
        return None
    old = src.text[r[0]:r[1]]
    if old == key:
        new = guess
    elif old in (f'"{key}"', f"'{key}'"):
        new = old[0] + guess + old[0]
    else:
        return None
    return Fix("safe" if safe else "unsafe", f"rename `{key}` to `{guess}`", (make_edit(src, r[0], r[1], new),))


def _norm(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def _clear_choice(key: str, guess: str, known: Iterable[str], margin: float = 0.1) -> bool:
    """True when `guess` is the one candidate: it differs from `key` only in case and `_`/`-`, or
    it is closer (by at least `margin`) than every other known key."""
    if _norm(guess) == _norm(key):
        return True
    best = _ratio(_norm(key), _norm(guess))
    others = [_ratio(_norm(key), _norm(k)) for k in known if k != guess]
    return all(best - r >= margin for r in others)


def _toml_doc(src: Source, ctx: FixContext):
    from rclint.tomlsource import TomlSyntaxError, load_toml

    key = ("toml", src.path, src.data)
    if key not in ctx.memo:
        try:
            doc = load_toml(src.text)
        except TomlSyntaxError:
            doc = None
        ctx.memo[key] = doc if doc is not None and doc.index_complete else None
    return ctx.memo[key]


def _toml_keys_at(doc, ctx: FixContext, src: Source) -> Dict[Tuple[int, int], List[Path]]:
    key = ("toml-keys", src.path, src.data)
    if key not in ctx.memo:
        idx: Dict[Tuple[int, int], List[Path]] = {}
        for p in doc.indexed_paths():
            sp = doc.key_span(p)
            if sp is not None:
                idx.setdefault((sp.line, sp.column), []).append(p)
        ctx.memo[key] = idx
    return ctx.memo[key]


def _runtime_schema(path: Path) -> Optional[str]:
    """The schema of the table holding the key at `path` (a containerd or CRI-O runtime table)."""
    from rclint.runtimes.containerd import RUNC_OPTIONS_SCHEMA, RUNTIME_SCHEMA
    from rclint.runtimes.crio import CRIO_RUNTIME_SCHEMA

    p = [x for x in path if isinstance(x, str)]
    if len(p) == 5 and p[:3] == ["crio", "runtime", "runtimes"]:
        return CRIO_RUNTIME_SCHEMA
    if "runtimes" in p and p[0] == "plugins":
        i = p.index("runtimes")
        rest = p[i + 1:]
        if len(rest) == 2:
            return RUNTIME_SCHEMA
        if len(rest) == 3 and rest[1] == "options":
            return RUNC_OPTIONS_SCHEMA
    return None


# --------------------------------------------------------------------------- RCL006

_SUPPRESSION = re.compile(r"#[ \t]*rclint:[ \t]*(?:ignore-file|ignore)\b[ \t]*(\[[^\]\n]*\]?)?")


@fixer("RCL006")
def fix_unused_suppression(f: Finding, src: Source, ctx: FixContext) -> Optional[Fix]:
    from rclint.suppress import parse_codes

    parts = f.field.split(":")
    if len(parts) < 2 or parts[0] != "suppression":
        return None
    scope, code = parts[1], (parts[2] if len(parts) > 2 else None)
    if scope == "object":
        return _fix_annotation(f, src, ctx, code)
    start = src.offset(f.span.line, f.span.column)
    if start is None:
        return None
    m = _SUPPRESSION.match(src.text, start)
    if m is None or _in_string(src, start, ctx):
        return None
    bracket = m.group(1)
    codes = parse_codes(bracket[1:-1]) if bracket and bracket.endswith("]") else ()
    if code is not None and len(codes) > 1:
        if code not in codes:
            return None
        inner = bracket[1:-1]
        sep = ", " if ", " in inner else ("," if "," in inner else " ")
        rest = sep.join(c for c in codes if c != code)
        b = m.start(1)
        return Fix("safe", f"remove {code} from the suppression comment", (make_edit(src, b + 1, b + len(bracket) - 1, rest),))
    # the whole comment goes: from the '#' to the next comment on the line, or to the line end
    ls, le = src.line_start(start), src.line_end(start)
    line_end = le - 1 if le > ls and src.text[le - 1] == "\r" else le
    after = src.text[m.end():line_end]
    nxt = re.search(r"[ \t]#", after)
    before = src.text[ls:start]
    what = "remove the unused suppression comment"
    if nxt is not None and not after[:nxt.start()].strip():
        return Fix("safe", what, (make_edit(src, start, m.end() + nxt.start() + 1, ""),))
    if before.strip():
        cut = ls + len(before.rstrip(" \t"))
        return Fix("safe", what, (make_edit(src, cut, line_end, ""),))
    stop = le + 1 if le < len(src.text) else le
    if stop == le and ls > 0:  # the last line, without a line break: take the one before it
        return Fix("safe", what, (make_edit(src, ls - 1, le, ""),))
    return Fix("safe", what, (make_edit(src, ls, stop, ""),))


def _in_string(src: Source, offset: int, ctx: FixContext) -> bool:
    """True when the comment-looking text at `offset` is inside a string, or we cannot tell."""
    key = ("strings", src.path, src.data)
    if key not in ctx.memo:
        ctx.memo[key] = _string_ranges(src)
    ranges = ctx.memo[key]
    if ranges is None:
        return True
    i = bisect.bisect_right(ranges, (offset, float("inf"))) - 1
    return any(a <= offset < b for a, b in ranges[max(0, i - 64):i + 1])


def _string_ranges(src: Source) -> Optional[List[Tuple[int, int]]]:
    """Sorted (start, end) offsets of every scalar of a YAML file, or of every quoted string of a
    TOML file; None when the text does not parse."""
    out: List[Tuple[int, int]] = []
    if src.path.endswith((".yaml", ".yml", ".json")) or not src.path.endswith((".toml", ".conf")) and "crio" not in src.path:
        from rclint.yamlsource import YamlLimitError, YamlSyntaxError, parse_chunk, split_documents

        try:
            for chunk in split_documents(src.text):
                for doc in parse_chunk(chunk, src.path):
                    for p, value in _walk(doc.value, ()):
                        spans = [] if isinstance(value, (dict, list)) else [doc.value_span(p)]
                        if p and not isinstance(p[-1], int):
                            spans.append(doc.key_span(p))
                        for t in spans:
                            a = src.offset(t.line, t.column)
                            b = src.offset(t.end_line or t.line, t.end_column or t.column)
                            if a is None or b is None:
                                return None
                            out.append((a, b))
        except (YamlSyntaxError, YamlLimitError):
            return None
        return sorted(out)
    from rclint.tomlsource import TomlSyntaxError, load_toml

    try:
        doc = load_toml(src.text)
    except TomlSyntaxError:
        return None
    for p, _value in _walk(doc.value, ()):
        for span in (doc.value_span(p), doc.key_span(p) if p else None):
            r = src.range(span) if span is not None and span.end_line is not None else None
            if r is not None and src.text[r[0]:r[0] + 1] in ("\"", "'"):
                out.append(r)
    return sorted(out)


def _fix_annotation(f: Finding, src: Source, ctx: FixContext, code: Optional[str]) -> Optional[Fix]:
    from rclint.suppress import ANNOTATION, REASON_ANNOTATION, parse_codes

    templates: Dict[int, List[Path]] = {}
    for ref in ctx.in_file(f.path, "pod_specs", f.span.line):
        if ref.template_metadata_path is not None:
            templates.setdefault(id(ref.obj), []).append(ref.template_metadata_path)
    for obj in ctx.in_file(f.path, "objects", f.span.line):
        for meta in [("metadata",)] + templates.get(id(obj), []):
            ann_path = meta + ("annotations",)
            annotations = obj.get(ann_path)
            if not isinstance(annotations, dict) or ANNOTATION not in annotations:
                continue
            vpath = ann_path + (ANNOTATION,)
            if not _at(obj.value_span(vpath), f):
                continue
            value = annotations[ANNOTATION]
            codes = parse_codes(value) if isinstance(value, str) else ()
            if code is not None and len(codes) > 1:
                if code not in codes:
                    return None
                sep = ", " if ", " in value else ("," if "," in value else " ")
                edit = replace_scalar(src, _pos(obj.doc, obj.base + vpath), value,
                                      sep.join(c for c in codes if c != code))
                return Fix("safe", f"remove {code} from the {ANNOTATION} annotation", (edit,)) if edit else None
            paths = [obj.base + vpath]
            if REASON_ANNOTATION in annotations:
                paths.append(obj.base + ann_path + (REASON_ANNOTATION,))
            ranges = remove_entries(src, obj.doc, paths)
            if not ranges:
                return None
            return Fix("safe", f"remove the {ANNOTATION} annotation", tuple(make_edit(src, a, b, "") for a, b in ranges))
    return None


# --------------------------------------------------------------------------- RCL204


@fixer("RCL204")
def fix_unquoted_selector_value(f: Finding, src: Source, ctx: FixContext) -> Optional[Fix]:
    """A nodeSelector value YAML typed as a boolean or a number: quote the text as written."""
    for rc in ctx.in_file(f.path, "runtime_classes", f.span.line):
        sel, obj = rc.node_selector, rc.obj
        if not isinstance(sel, dict):
            continue
        for key, value in sel.items():
            path = rc.field_path("scheduling", "nodeSelector", key)
            if not _at(obj.value_span(path), f) or isinstance(value, str) or not isinstance(value, (bool, int, float)):
                continue
            sp = _pos(obj.doc, obj.base + path)
            r = src.range(sp) if sp else None
            if r is None:
                return None
            text = src.text[r[0]:r[1]]
            if not text or "\n" in text or text[0] in "!&*'\"[{|>" or "#" in text:
                return None
            from rclint.yamlsource import type_plain_scalar

            if type_plain_scalar(text) != value and not (value != value):  # not the literal the value came from
                return None
            return Fix("safe", f"quote the value: {text} becomes the string {json.dumps(text)}",
                       (make_edit(src, r[0], r[1], json.dumps(text)),))
    return None


# --------------------------------------------------------------------------- RCL205


@fixer("RCL205")
def fix_duplicate_toleration(f: Finding, src: Source, ctx: FixContext) -> Optional[Fix]:
    """Remove a toleration that repeats an earlier one (safe when the two entries are equal)."""
    from rclint.kube.validation import duplicate_tolerations

    for rc in ctx.in_file(f.path, "runtime_classes", f.span.line):
        tols, obj = rc.tolerations, rc.obj
        if not isinstance(tols, list):
            continue
        base = rc.field_path("scheduling", "tolerations")
        for first, dup in duplicate_tolerations(tols, empty_operator_is_equal=False):
            if not _at(obj.value_span(base + (dup,)), f):
                continue
            r = sequence_item_range(src, obj.doc, obj.base + base, dup)
            if r is None:
                return None
            kind = "safe" if tols[first] == tols[dup] else "unsafe"
            return Fix(kind, f"remove tolerations[{dup}], a repeat of tolerations[{first}]", (make_edit(src, r[0], r[1], ""),))
    return None


def sequence_item_range(src: Source, doc, seq: Path, index: int) -> Optional[Tuple[int, int]]:
    """The text of item `index` of the sequence at `seq`: its `- ` lines, or `item, ` in a flow sequence."""
    item = seq + (index,)
    sp = _pos(doc, item)
    end = _content_end(src, doc, item)
    start = src.offset(sp.line, sp.column) if sp else None
    if start is None or end is None:
        return None
    if _ANCHOR_OR_MERGE.search(src.text[start:end]):
        return None
    if _is_flow(src, doc, seq):
        m = re.compile(r"\s*,[ \t]*").match(src.text, end)
        if m:
            return start, m.end()
        m = re.search(r",\s*\Z", src.text[:start])
        return (m.start(), end) if m else None
    ls = src.line_start(start)
    if not re.fullmatch(r"[ \t]*-[ \t]+", src.text[ls:start]):
        return None
    le = src.line_end(end)
    tail = src.text[end:le].rstrip("\r")
    if tail.strip() and not tail.strip().startswith("#"):
        return None
    return ls, (le + 1 if le < len(src.text) else le)


# --------------------------------------------------------------------------- RCL208


@fixer("RCL208")
def fix_runtime_class_reference(f: Finding, src: Source, ctx: FixContext) -> Optional[Fix]:
    """Quote a number or boolean; trim and lowercase a name the API cannot accept (safe); turn
    `_` into `-` (unsafe); remove an empty name (unsafe: the pod then runs on the default handler)."""
    from rclint.kube.validation import is_dns1123_subdomain

    ref = ctx.pod_spec_at(f, "runtimeClassName")
    if ref is None:
        return None
    obj, path = ref.obj, ref.field("runtimeClassName")
    value = obj.get(path)
    sp = _pos(obj.doc, obj.base + path)
    r = src.range(sp) if sp else None
    if r is None:
        return None
    text = src.text[r[0]:r[1]]
    if isinstance(value, (bool, int, float)):
        if not text or "\n" in text or "#" in text or text[0] in "!&*'\"[{|>" or not is_dns1123_subdomain(text):
            return None
        return Fix("safe", f"quote the value: {text} becomes the string {json.dumps(text)}",
                   (make_edit(src, r[0], r[1], json.dumps(text)),))
    if not isinstance(value, str):
        return None
    if value == "":
        ranges = remove_entries(src, obj.doc, [obj.base + path], allow_parent=False)
        if not ranges:
            return None
        return Fix("unsafe", "remove the empty runtimeClassName (the pod then runs on the nodes' default handler)",
                   tuple(make_edit(src, a, b, "") for a, b in ranges))
    trimmed = value.strip().lower()
    if trimmed != value and is_dns1123_subdomain(trimmed):
        target, kind = trimmed, "safe"
    elif is_dns1123_subdomain(trimmed.replace("_", "-")):
        target, kind = trimmed.replace("_", "-"), "unsafe"
    else:
        return None
    edit = replace_scalar(src, sp, value, target)
    return Fix(kind, f'change runtimeClassName to "{target}"', (edit,)) if edit else None
