"""The pipeline: discover -> load -> inventory -> second pass (rclint.stream: files of pod specs
the first pass set aside, a batch at a time) -> checks -> select/severity -> sort.

No click and no printing here: `run(settings)` returns a Result that reporters render.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set

from typing import TYPE_CHECKING

from rclint import perf
from rclint.catalog import expand_selector, rule_severities
from rclint.discovery import InputFile, discover
from rclint.fspolicy import FsPolicy, Refused, TooLarge
from rclint.model import Finding, Related, Severity, Stats
from rclint.settings import ConfigError, Settings
from rclint.textio import escape_surrogates, printable_finding

if TYPE_CHECKING:  # imported where used: a run answered from the cache never loads YAML or runs checks
    from rclint.inventory import Inventory
    from rclint.loader import LoadedFile


class NoInputError(ConfigError):
    """Nothing to lint: a usage error (exit 2)."""


@dataclass
class Result:
    findings: List[Finding]
    stats: Stats
    enabled: Set[str] = field(default_factory=set)
    inventory: Optional[Inventory] = None
    # The text of every file a finding or a related location points at (display path -> text),
    # for the code frames of the full text format. Files rclint could not read are absent.
    sources: Mapping = field(default_factory=dict)

    def counts(self) -> Dict[str, int]:
        c = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            c[f.severity.label] += 1
        return c

    def max_severity(self):
        return max((f.severity for f in self.findings), default=None)


def enabled_codes(settings: Settings) -> Set[str]:
    codes = sorted(rule_severities())
    if settings.select is None:
        enabled = set(codes)
    else:
        enabled = {c for s in settings.select for c in expand_selector(s, codes)}
    enabled |= {c for s in settings.extend_select for c in expand_selector(s, codes)}
    enabled -= {c for s in settings.ignore for c in expand_selector(s, codes)}
    return enabled


def _read(inp: InputFile, policy: FsPolicy) -> bytes:
    from rclint.fixes import observed

    if inp.path is None:
        stdin = inp.data is None  # else an input rclint made itself (the live cluster): never fixed
        if stdin:
            inp.data = policy.read_stdin()
        return observed(inp.display, None if stdin else "", inp.data)
    if inp.walked is not None:
        return observed(inp.display, inp.path, policy.read_walked(inp.path, inp.walked))
    return observed(inp.display, inp.path, policy.read_bytes(inp.path, trusted=inp.explicit or None))


class _Renders:
    """The kustomizations of a run, rendered by `kubectl kustomize` while rclint loads the other
    files: at most one per core runs at a time, started in input order."""

    def __init__(self, inputs: List[InputFile], settings: Settings):
        from rclint.parallel import usable_cores

        self.todo = [i for i in inputs if i.kind == "kustomize"]
        self.settings = settings
        self.started: Dict[int, object] = {}
        self.next = 0
        self.width = max(1, min(usable_cores(), 4))
        self._fill()

    def _fill(self):
        from rclint import kustomize

        while self.next < len(self.todo) and len(self.started) < self.width:
            inp = self.todo[self.next]
            self.next += 1
            self.started[id(inp)] = kustomize.start(inp.path, inp.root or inp.path, self.settings.max_file_size)

    def result(self, inp: InputFile):
        from rclint import kustomize

        render = self.started.pop(id(inp), None)
        if render is None:  # not started yet (inputs are asked for in order, so this is rare)
            render = kustomize.start(inp.path, inp.root or inp.path, self.settings.max_file_size)
        out = render.result()
        self._fill()
        return out

    def close(self):
        """Stop and clean up what was started and not read (an interrupted run)."""
        import shutil

        for render in self.started.values():
            if render.proc is not None and render.done is None:
                render.proc.kill()
                render.proc.wait()
            if render.tmp:
                shutil.rmtree(render.tmp, ignore_errors=True)
        self.started.clear()


def _render_kustomization(inp: InputFile, settings: Settings, stats: Stats,
                          renders: Optional[_Renders] = None) -> Optional[LoadedFile]:
    """Lint the rendered output of a kustomization, or say (RCL005, info) why it was not."""
    from rclint import kustomize
    from rclint.loader import LoadedFile, load_manifest_bytes
    from rclint.model import Span
    from rclint.settings import display_path

    if renders is not None:
        data, why, origins = renders.result(inp)
    else:
        data, why, origins = kustomize.render(inp.path, inp.root or inp.path, settings.max_file_size)
    if data is None:
        kfile = display_path(kustomize.kustomization_file(inp.path) or inp.path)
        where = display_path(inp.path)
        stats.files += 1
        stats.manifests += 1  # reported, so the run is not "no input"
        lf = LoadedFile(kfile, looks_like_manifest=True)
        lf.findings.append(Finding(
            "RCL005", f"Kustomize directory {where} was not rendered", kfile, Span(1, 1),
            field="kustomize", severity=Severity.INFO,
            help=f"kubectl kustomize {where} | rclint check --stdin-filename {where}/{kustomize.DISPLAY_SUFFIX} -",
            notes=(why, "its files are the inputs of a render, not manifests, so rclint does not lint them one by one"),
        ))
        return lf
    inp.data = data
    inp.origins = origins
    stats.files += 1
    lf = load_manifest_bytes(inp.display, data, max_file_size=settings.max_file_size, parse_all=settings.parse_all)
    stats.bytes += lf.size
    stats.documents += lf.chunks
    stats.parsed_documents += lf.parsed
    if lf.looks_like_manifest or not data:  # an empty render: nothing in it a rule reads
        stats.manifests += 1
    return lf


def _with_origins(findings: List[Finding], inputs: List[InputFile], policy: FsPolicy) -> List[Finding]:
    """Findings in a kustomize render also point at the file the object came from: at the
    object's name there when it can be found, else at the file's start."""
    from dataclasses import replace

    from rclint.kustomize import locate, source_of
    from rclint.model import Span
    from rclint.settings import display_path
    from rclint.textio import DecodeError, decode

    rendered = {i.display: i.origins for i in inputs if i.kind == "kustomize" and i.origins}
    if not rendered:
        return findings
    texts: Dict[str, Optional[str]] = {}
    out = []
    for f in findings:
        origins = rendered.get(f.path)
        source = source_of(origins, f.span.line) if origins else None
        if source is not None:
            if source not in texts:
                try:
                    texts[source] = decode(policy.read_bytes(source, trusted=False))
                except (OSError, DecodeError):
                    texts[source] = None
            text = texts[source]
            span = (locate(text, f.object.kind, f.object.name) if text is not None and f.object is not None
                    else None) or Span(1, 1)
            f = replace(f, related=f.related + (Related(display_path(source), span, "rendered from this file"),))
        out.append(f)
    return out


_BASELINE_HEAD = re.compile(rb'^\s*\{\s*"version"\s*:\s*\d+\s*,\s*"tool"\s*:\s*"rclint"\s*,\s*"findings"\s*:')


def _is_baseline(data: bytes) -> bool:
    """A file `--write-baseline` wrote (it starts with its version, tool and findings keys)."""
    return _BASELINE_HEAD.match(data[:256]) is not None


def load_one(inp: InputFile, settings: Settings, policy: FsPolicy, defer: bool = False, again=None):
    """(LoadedFile or None, status) for one manifest input; status "ok", "unread" (the file is
    reported, not linted) or "none" (nothing to lint: a dangling symlink inside the tree, or
    rclint's own baseline). With `defer`, a file that only the second pass needs gives
    (rclint.stream.Deferred, "deferred") instead, and is not parsed; the second pass loads it
    with `again`, that Deferred (the file must still hold the same bytes), and keeps its text.
    (It runs for every file: nothing is imported on its common path.)"""
    try:
        data = _read(inp, policy)
    except OSError as exc:
        from rclint.loader import LoadedFile
        from rclint.model import Span

        if (not inp.explicit and inp.path is not None and isinstance(exc, FileNotFoundError)
                and os.path.islink(inp.path) and policy.resolves_inside(inp.path)):
            return None, "none"  # a dangling symlink inside the tree names no file
        lf = LoadedFile(inp.display, looks_like_manifest=True)
        if isinstance(exc, TooLarge):
            lf.findings.append(Finding("RCL003", exc.reason, inp.display, Span(1, 1), field="size"))
        elif isinstance(exc, Refused):
            lf.findings.append(exc.finding("file", inp.display))
        else:
            lf.findings.append(Finding("RCL003", f"cannot read file: {exc.strerror or exc}", inp.display,
                                       Span(1, 1), field="read"))
        return lf, "unread"
    if again is not None:
        if not again.matches(data):
            from rclint.loader import LoadedFile
            from rclint.model import Span

            lf = LoadedFile(inp.display, looks_like_manifest=True)
            lf.findings.append(Finding("RCL003", "file changed while rclint was reading it: not linted",
                                       inp.display, Span(1, 1), field="read",
                                       help="run rclint again once nothing writes to the tree"))
            return lf, "unread"
        return _loaded(inp, data, settings, keep_text=True), "ok"
    if _is_baseline(data):
        return None, "none"  # rclint's own baseline: never an input, even when it sits in the tree
    # stream.worth_deferring, spelled out: this runs for every file, and most name no RuntimeClass
    if defer and (b"untimeClass" in data or b"overhead" in data) and _deferrable(inp, data, settings):
        from rclint.stream import Deferred

        return Deferred.of(data), "deferred"
    return _loaded(inp, data, settings), "ok"


def _loaded(inp: InputFile, data: bytes, settings: Settings, keep_text: bool = False):
    """The LoadedFile of a manifest input's bytes."""
    from rclint.loader import load_manifest_bytes

    lf = load_manifest_bytes(inp.display, data, max_file_size=settings.max_file_size, parse_all=settings.parse_all)
    if (not keep_text and inp.path is not None and inp.data is None and perf.FAST
            and (not inp.explicit or _regular(inp.path))):
        # keep no document text: the few documents a finding points into read their file again
        # (rclint.yamlsource.register_reader, set up by load_inputs); a file the walk found is a
        # regular file, one named on the command line may be a pipe, read once
        for doc in lf.documents:
            if doc.source is not None:
                doc.source.detach(inp.display)
    return lf


def _deferrable(inp: InputFile, data: bytes, settings: Settings) -> bool:
    """Whether a manifest file can wait for the second pass (rclint.stream): a regular file
    the walk found or the command line named, under the size limit, under a printable name,
    whose bytes show it may hold a pod spec a rule reads and no object the first pass must know
    (see rclint.stream.worth_deferring and may_hold_context)."""
    from rclint.stream import may_hold_context, worth_deferring
    from rclint.textio import escape_surrogates

    return (inp.path is not None and inp.data is None and len(data) <= settings.max_file_size
            and worth_deferring(data) and not may_hold_context(data)
            and escape_surrogates(inp.display) == inp.display
            and (inp.walked is not None or _regular(inp.path)))  # a pipe is read once


def _regular(path: str) -> bool:
    import stat

    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _read_text_again(path: str, policy: FsPolicy) -> str:
    """A manifest's text as it was loaded, read again under the rule it was read by."""
    from rclint.textio import decode

    return decode(policy.read_again(path), lenient_utf8=True)


def load_inputs(inputs: List[InputFile], settings: Settings, stats: Stats,
                policy: Optional[FsPolicy] = None, meanwhile=None, deferred: Optional[list] = None) -> List[LoadedFile]:
    """The loaded manifests. `meanwhile()`, when given, is called once, while worker processes
    load (else first). With a `deferred` list, the files only the second pass needs (see
    rclint.stream) are not loaded but added to it, as (input, Deferred), in input order, when
    there is enough of them to pay for a second pass (stream.MIN_BYTES); fewer are loaded now."""
    import functools

    from rclint.yamlsource import clear_readers, register_reader

    policy = policy or FsPolicy.for_settings(settings)
    manifests = [inp for inp in inputs if inp.kind == "manifest"]
    clear_readers()
    for inp in manifests:
        if inp.path is not None:
            register_reader(inp.display, functools.partial(_read_text_again, inp.path, policy))
    results = None
    renders = None
    if perf.FAST and any(inp.kind == "kustomize" for inp in inputs):
        renders = _Renders(inputs, settings)
    try:
        if perf.FAST:
            from rclint.parallel import load_in_workers

            results = load_in_workers(manifests, settings, policy, workers=settings.jobs, meanwhile=meanwhile,
                                      defer=deferred is not None)
        if results is None and meanwhile is not None:
            meanwhile()
        loaded_by_input = dict(zip(map(id, manifests), results)) if results is not None else {}
        loaded: List[LoadedFile] = []
        for inp in inputs:
            if inp.kind == "kustomize":
                lf = _render_kustomization(inp, settings, stats, renders)
                if lf is not None:
                    loaded.append(lf)
                continue
            if inp.kind != "manifest":
                continue
            lf, status = loaded_by_input.get(id(inp)) or load_one(inp, settings, policy, defer=deferred is not None)
            if status == "none":
                continue
            if status == "deferred":
                deferred.append((inp, lf))
                loaded.append((inp, lf))  # its place, in case it is loaded now after all
                continue
            stats.count_loaded(lf, status)
            loaded.append(lf)
    finally:
        if renders is not None:
            renders.close()
    if deferred:
        from rclint import stream

        if sum(d.size for _inp, d in deferred) >= stream.MIN_BYTES:
            return [lf for lf in loaded if not isinstance(lf, tuple)]
        del deferred[:]
        now = []
        for lf in loaded:
            if isinstance(lf, tuple):  # loaded now, in its place, as without a second pass
                lf, status = load_one(lf[0], settings, policy, again=lf[1])
                if status == "none":  # gone since, as a dangling symlink inside the tree: no file
                    continue
                stats.count_loaded(lf, status)
            now.append(lf)
        loaded = now
    return loaded


def node_config_candidates(inputs: List[InputFile], settings: Settings) -> List[InputFile]:
    """Every possible node runtime config: the named ones (--node-config, pools' runtime-config),
    then the discovered candidates; `rclint.classify.recognise` decides what each one is."""
    from rclint.discovery import named_node_configs

    named = named_node_configs(settings)
    keys = {os.path.abspath(i.path) for i in named if i.path}
    return named + [i for i in inputs if i.kind == "node" and i.path is not None and os.path.abspath(i.path) not in keys]


def load_everything(settings: Settings, stats: Stats, require_input: bool = True,
                    policy: Optional[FsPolicy] = None, inputs_out: Optional[list] = None, inputs=None,
                    deferred: Optional[list] = None):
    """discover -> load manifests and runtime configs -> inventory with node pools. With a
    `deferred` list, the files only the second pass needs go there instead (see load_inputs),
    and whether there was input at all is for the caller to say once they are loaded."""
    from rclint.inventory import build_inventory
    from rclint.pools import build_pools
    from rclint.runtimes.sources import load_runtime_sources
    from rclint.settings import display_path

    policy = policy or FsPolicy.for_settings(settings)
    if inputs is None:
        inputs = discover(settings)
    if inputs_out is not None:
        inputs_out.extend(inputs)
    loaded_runtime = []

    def runtime_sources():  # loaded by the main process while worker processes load manifests
        loaded_runtime.append(load_runtime_sources(node_config_candidates(inputs, settings), display_path,
                                                   settings.max_file_size, policy, declared_runtime_versions(settings)))

    with _no_gc_while_loading():
        files = load_inputs(inputs, settings, stats, policy, meanwhile=runtime_sources, deferred=deferred)
    runtime = loaded_runtime[0]
    stats.runtime_configs = len(runtime.configs)
    stats.files += runtime.files
    stats.bytes += runtime.bytes
    if require_input and not deferred:
        _require_input(settings, stats, runtime.findings)
    inventory = build_inventory(files, settings.known_runtime_classes)
    inventory.runtime_configs = runtime.configs
    inventory.runtime_findings = len(runtime.findings)
    inventory.pools = build_pools(inventory, settings)
    raw: List[Finding] = list(runtime.findings)
    for f in files:
        raw.extend(f.findings)
    return files, inventory, raw


def _require_input(settings: Settings, stats: Stats, findings) -> None:
    if stats.manifests == 0 and stats.runtime_configs == 0 and not findings:
        where = ", ".join(settings.paths)
        raise NoInputError(f"no Kubernetes manifests or runtime configs found under {where}")


def _no_gc_while_loading():
    """Loading builds millions of acyclic containers (values, position tuples) and frees its
    garbage by reference counting: the cyclic collector would only re-traverse the growing
    heap, again and again. Pause it while loading, then move what was loaded out of its sight."""
    return perf.gc_paused(skip=not perf.FAST)


def _open_cache(settings: Settings, stats: Stats, policy: FsPolicy):
    """(cache, key, inputs) when the result cache is on and usable, else (None, None, inputs or None)."""
    if not settings.cache_dir or not perf.FAST:
        return None, None, None
    from rclint import cache as cache_mod
    from rclint.textio import visible

    reason = cache_mod.unusable_reason(settings.cache_dir, settings.paths)
    if reason is not None:
        stats.notes.append(f"cache directory {visible(settings.cache_dir)} not used: {reason}")
        return None, None, None
    inputs = discover(settings)
    candidates = node_config_candidates(inputs, settings)
    named = [inp.path for inp in inputs if inp.explicit and inp.kind != "kustomize"]
    named += [c.path for c in candidates if c.explicit or c.named]
    if (any(inp.path is None or inp.kind == "kustomize" for inp in inputs)
            or not all(cache_mod.regular_file(p) for p in named)):
        # standard input or a pipe is read once, by the run itself; a kustomize render depends
        # on files the key does not see
        return None, None, inputs
    key = cache_mod.run_key(settings, inputs, candidates, policy)
    return cache_mod.ResultCache(settings.cache_dir), key, inputs


def run(settings: Settings) -> Result:
    catalog = rule_severities()
    enabled = enabled_codes(settings)
    stats = Stats()
    policy = FsPolicy.for_settings(settings)
    cache, key, discovered = _open_cache(settings, stats, policy)
    if cache is not None:
        hit = cache.load(key, policy)
        if hit is not None:
            findings, cached_stats, cached_enabled = hit
            return Result(findings, cached_stats, cached_enabled, None,
                          LazySources(findings, discovered, settings, policy))
    from rclint.checks import Context, load_all
    from rclint.fixes import attach_fixes
    from rclint.suppress import apply as apply_suppressions
    from rclint.suppress import object_suppressions
    from rclint.suppress import unused as unused_suppressions

    from rclint import fixes

    fixes.reading_with(policy.read_again)  # fixes read files again as the code frames do
    inputs: List[InputFile] = []
    deferred: Optional[list] = [] if perf.FAST and fixes._ACTIVE is None else None
    files, inventory, raw = load_everything(settings, stats, policy=policy, inputs_out=inputs, inputs=discovered,
                                            deferred=deferred)
    checks = [(code, fn) for code, fn in sorted(load_all().items()) if code in enabled]
    second = None
    if deferred:
        from rclint.stream import check_deferred

        second = check_deferred(deferred, inventory, settings, checks, enabled, set(catalog), policy, settings.jobs)
        del deferred[:]
        inventory.deferred_classes = second.used
        stats.add_counts(second.stats)  # and what its files' suppressions hid
        _require_input(settings, stats, inventory.runtime_findings)
    ctx = Context(inventory, settings)
    from rclint.parallel import run_checks

    raw.extend(run_checks(ctx, checks, settings.jobs, more_notes=second.notes if second is not None else None))
    stats.notes.extend(ctx.notes)
    raw = [f for f in raw if f.code in enabled]
    suppressions = list(object_suppressions(inventory))
    for f in files:
        suppressions.extend(f.suppressions)
    suppressions.extend(_config_comment_suppressions(inventory.runtime_configs, policy))
    before = len(raw)
    raw = apply_suppressions(raw, suppressions)
    stats.suppressed += before - len(raw)
    if "RCL006" in enabled:
        raw.extend(unused_suppressions(suppressions, set(catalog), enabled))
    if second is not None:  # suppressed already, by the files' own suppressions
        raw.extend(second.findings)
    # file names that are not UTF-8 are shown (and baselined) with \xNN escapes in every format
    raw = [printable_finding(f) for f in raw]
    if settings.baseline:
        from rclint import baseline

        raw, matched, stale = baseline.apply(raw, baseline.load(settings.baseline, settings.max_file_size, policy), enabled)
        stats.baselined = matched
        stale_text = ("1 baseline entry no longer matches anything" if stale == 1
                      else f"{stale} baseline entries no longer match anything")
        stats.notes.append(f"baseline {settings.baseline}: {matched} known finding{'s' if matched != 1 else ''} hidden"
                           + (f"; {stale_text} (rewrite it with --write-baseline)" if stale else ""))
    stats.notes[:] = [escape_surrogates(str(n)) for n in stats.notes]
    if settings.only_paths is not None:
        only = {escape_surrogates(p) for p in settings.only_paths}
        raw = [f for f in raw if f.path in only]
    findings = []
    for f in raw:
        sev = settings.severity.get(f.code) or f.severity or catalog[f.code]
        if sev < settings.min_severity:
            continue
        findings.append(_with_severity(f, sev))
    findings = _with_origins(findings, inputs, policy)
    findings.sort(key=Finding.sort_key)
    findings = attach_fixes(findings, inventory, done=second.paths if second is not None else ())
    if cache is not None:
        sources = [src for cfg in inventory.runtime_configs for src in cfg.sources]
        cache.store(key, sources, findings, stats, enabled, policy)
    return Result(findings, stats, enabled, inventory, LazySources(findings, inputs, settings, policy))


class LazySources(Mapping):
    """The text of each file the findings point at, for the code frames: read on first use
    (only the full text format shows code frames, so the machine formats never pay for reading
    the files again), one file at a time, and only the last few kept (the text format walks
    the findings file by file: a run with findings in every file must not hold every file's
    text at once). A file that cannot be read again or decoded is absent."""

    KEEP = 8

    def __init__(self, findings: List[Finding], inputs: List[InputFile], settings: Settings, policy: FsPolicy):
        self._findings = findings
        self._inputs = inputs
        self._settings = settings
        self._policy = policy
        self._paths: Optional[List[str]] = None
        self._in_memory: Optional[Dict[str, bytes]] = None
        self._kept: Dict[str, Optional[str]] = {}  # the last few read, oldest first; None: unreadable

    def _all(self) -> List[str]:
        if self._paths is None:
            self._paths = sorted({f.path for f in self._findings} | {r.path for f in self._findings for r in f.related})
            self._in_memory = {i.display: i.data for i in self._inputs if i.data is not None}
        return self._paths

    def _text(self, path: str) -> Optional[str]:
        if path in self._kept:
            text = self._kept.pop(path)
        else:
            text = _source_text(path, self._in_memory, self._settings, self._policy) if path in self._all() else None
        self._kept[path] = text
        while len(self._kept) > self.KEEP:
            del self._kept[next(iter(self._kept))]
        return text

    def __getitem__(self, key: str) -> str:
        text = self._text(key)
        if text is None:
            raise KeyError(key)
        return text

    def __contains__(self, key) -> bool:
        return self._text(key) is not None

    def __iter__(self):
        return (p for p in list(self._all()) if self._text(p) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _source_text(path: str, in_memory: Dict[str, bytes], settings: Settings, policy: FsPolicy) -> Optional[str]:
    """A file's text as rclint read it: what was read from standard input or rendered, else the
    file read again under the rule it was read by (the configuration file as configuration)."""
    from rclint.fspolicy import read_config_file
    from rclint.textio import DecodeError, decode

    data = in_memory.get(path)
    if data is None:
        try:
            config = os.path.abspath(settings.config_path) if settings.config_path else None
            if config is not None and os.path.abspath(path) == config:
                data = read_config_file(path, settings.max_file_size)
            else:
                data = policy.read_again(path)
        except OSError:
            return None
    try:
        return decode(data)
    except DecodeError:
        return None


def _config_comment_suppressions(configs, policy: Optional[FsPolicy] = None) -> List:
    from rclint.suppress import scan_comments
    from rclint.textio import decode

    out = []
    seen = set()
    for cfg in configs:
        for src in cfg.sources:
            if src in seen:
                continue
            seen.add(src)
            try:
                data = policy.read_again(src) if policy is not None else FsPolicy(trusted=[src]).read_bytes(src)
                out.extend(scan_comments(src, decode(data)))
            except Exception:  # unreadable sources were reported when loading
                continue
    return out


def _with_severity(f: Finding, sev: Severity) -> Finding:
    from dataclasses import replace

    return f if f.severity == sev else replace(f, severity=sev)


def declared_runtime_versions(settings: Settings):
    """display path of a runtime config -> the (containerd, CRI-O) versions its pool declares,
    else the [tool.rclint] defaults."""
    from rclint.settings import display_path

    by_path = {}
    for pool in settings.node_pools:
        for p in pool.runtime_configs:
            by_path.setdefault(display_path(p), (pool.containerd, pool.crio))

    def lookup(path: str):
        containerd, crio = by_path.get(path, (None, None))
        return containerd or settings.containerd_version, crio or settings.crio_version

    return lookup


def load_node_pools(settings: Settings):
    """What `rclint nodes` shows: every node pool rclint would judge against."""
    _files, inventory, _raw = load_everything(settings, Stats(), require_input=False)
    return inventory.pools
