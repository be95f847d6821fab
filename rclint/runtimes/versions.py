"""Which container runtime versions a node pool may run, and how rclint groups them.

A pool declares its runtime (`containerd = "1.7"`, `crio = "1.31"` in `[[node-pool]]`, or a
default in `[tool.rclint]`). Without a declaration rclint infers the versions the config allows
and judges by every one of them: a finding that holds only for some says which.

containerd release lines that load configs differently (read in containerd's source):

* 1.6, 1.7 (`services/server/config/config.go`): plugin tables replaced per file; version 1
  reads `plugins.cri`, any other version `plugins."io.containerd.grpc.v1.cri"`. 1.6.32+ and
  1.7.17+ refuse a merged `version` above 2 (`unsupported config version`, `ValidateV2`);
  older patch releases (Debian's 1.6.20) accept it and read it like version 2.
* 2.0, 2.1, 2.2 (`cmd/containerd/server/config/config.go` `LoadConfig`,
  `cmd/containerd/server/server.go` `New`): plugin tables deep-merged; a version 0/1 file is
  renamed to full plugin IDs as it is read and takes the merged version so far (3 at first);
  the CRI plugin migration (v2 -> v3) runs once on the merged config, only when the merged
  `version` (the last non-zero one) is below 3.
* 2.3 and later (`LoadConfigWithPlugins`): every file is migrated from its own version
  (plugin migrations included) before the merge; `version = 4` is accepted.
"""

from __future__ import annotations

from rclint import lazyre as re  # patterns compiled on first use (start-up)
from typing import Iterable, List, Optional, Sequence, Tuple

CONTAINERD_LINES: Tuple[str, ...] = ("1.6", "1.7", "2.0", "2.1", "2.2", "2.3")
CRIO_MIN, CRIO_LATEST = (1, 16), (1, 36)

_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?$")


class VersionError(ValueError):
    pass


def parse_containerd(text: object) -> Tuple[str, ...]:
    """The release lines a declared containerd version stands for: "1.7" -> ("1.7",);
    "2" -> every 2.x line; "2.4" (newer than rclint knows) -> ("2.3",), the newest model."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        raise VersionError("must be a version string such as \"1.7\" or \"2.1\"")
    t = text.strip()
    if re.fullmatch(r"v?[12]", t):
        major = t.lstrip("v")
        return tuple(line for line in CONTAINERD_LINES if line.startswith(major + "."))
    m = _VERSION.match(t)
    if not m:
        raise VersionError(f"{text!r} is not a containerd version (e.g. \"1.7\", \"2.1\")")
    major, minor = int(m.group(1)), int(m.group(2))
    if (major, minor) < (1, 6):
        raise VersionError(f"containerd {text} is older than rclint models (1.6 and later)")
    if major == 1 and minor > 7:
        raise VersionError(f"there is no containerd {text} (1.7 is the last 1.x line)")
    line = f"{major}.{minor}"
    if line in CONTAINERD_LINES:
        return (line,)
    return ("2.3",)  # a newer 2.x loads configs like 2.3


def parse_crio(text: object) -> str:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str) or not _VERSION.match(text.strip()):
        raise VersionError(f"{text!r} is not a CRI-O version (e.g. \"1.31\")")
    m = _VERSION.match(text.strip())
    assert m is not None
    if (int(m.group(1)), int(m.group(2))) < CRIO_MIN:
        raise VersionError(f"CRI-O {text} is older than rclint models (1.16 and later)")
    return f"{m.group(1)}.{m.group(2)}"


def infer_containerd(versions: Iterable[Optional[int]]) -> Tuple[str, ...]:
    """Lines that can run a config whose files carry these `version` values (main file first).

    `version = 4` anywhere needs 2.3+; `version = 3` needs 2.0+ (1.6.32+/1.7.17+ refuse it and
    older 1.x patch releases would read none of its CRI tables: nobody writes it for them);
    versions 1 and 2 (or none) load on every line.
    """
    top = max((v for v in versions if isinstance(v, int)), default=0)
    if top >= 4:
        return ("2.3",)
    if top == 3:
        return ("2.0", "2.1", "2.2", "2.3")
    return CONTAINERD_LINES


def group_of(line: str) -> str:
    """The loader model of a release line: "1.x", "2.0" (2.0-2.2) or "2.3" (2.3+)."""
    if line.startswith("1."):
        return "1.x"
    return "2.3" if line >= "2.3" else "2.0"


def groups(lines: Sequence[str]) -> List[Tuple[str, Tuple[str, ...]]]:
    """(model, lines) in release order."""
    out: List[Tuple[str, Tuple[str, ...]]] = []
    for line in lines:
        g = group_of(line)
        if out and out[-1][0] == g:
            out[-1] = (g, out[-1][1] + (line,))
        else:
            out.append((g, (line,)))
    return out


def describe_lines(lines: Sequence[str], runtime: str = "containerd") -> str:
    """("1.6", "1.7") -> "containerd 1.6-1.7"; ("2.3",) -> "containerd 2.3+"; all -> "containerd 1.6-2.3+"."""
    lines = [line for line in CONTAINERD_LINES if line in lines]
    if not lines:
        return runtime
    last = lines[-1] + ("+" if lines[-1] == CONTAINERD_LINES[-1] else "")
    if len(lines) == 1:
        return f"{runtime} {last}"
    contiguous = [CONTAINERD_LINES.index(x) for x in lines]
    if contiguous == list(range(contiguous[0], contiguous[-1] + 1)):
        return f"{runtime} {lines[0]}-{last}"
    return f"{runtime} " + ", ".join(lines[:-1] + [last])


# A finding's message may hold this token where the versions it holds for go: the combiner
# replaces it with the lines of the views whose finding has that same message. (NUL: no input
# text that ends up in a message can contain it, so nothing else is replaced.)
VERSIONS_TOKEN = "\x00containerd\x00"


def _rank(finding) -> int:
    return 0 if finding.severity is None else int(finding.severity)


def combine_findings(views, declared: bool) -> list:
    """One finding per (code, place) over the views of one config. The primary is the most severe
    (the earliest view on a tie); the versions it holds for replace VERSIONS_TOKEN; the other
    views' different messages become notes; a finding that holds on only some of the lines the
    pool may run says so."""
    from dataclasses import replace

    all_lines = tuple(line for v in views for line in v.versions)
    by_key: dict = {}
    for view in views:
        for f in view.findings:
            # the field may differ between views (a migrated table is read under another plugin)
            by_key.setdefault((f.code, f.path, f.span), []).append((view, f))
    out = []
    for entries in by_key.values():
        primary = max(entries, key=lambda e: _rank(e[1]))[1]
        primary = next(f for _v, f in entries if _rank(f) == _rank(primary))
        same = tuple(line for v, f in entries if f.message == primary.message for line in v.versions)
        holds = tuple(line for v, _f in entries for line in v.versions)
        message = primary.message.replace(VERSIONS_TOKEN, describe_lines(same))
        notes = list(primary.notes)
        seen = {primary.message}
        for v, f in entries:
            if f.message in seen:
                notes.extend(n for n in f.notes if n not in notes)
                continue
            seen.add(f.message)
            lines = tuple(line for w, g in entries if g.message == f.message for line in w.versions)
            notes.append(f"{describe_lines(lines)}: " + f.message.replace(VERSIONS_TOKEN, describe_lines(lines)))
            notes.extend(n for n in f.notes if n not in notes)
        if set(holds) != set(all_lines):
            if VERSIONS_TOKEN not in primary.message:
                rest = [line for line in all_lines if line not in holds]
                notes.append(f"holds for {describe_lines(holds)}, not for {describe_lines(rest)}")
            if not declared:
                notes.append("the pool's containerd version is inferred from the config; declare it "
                             "(`containerd = \"2.1\"` in its [[node-pool]] or [tool.rclint]) to judge by one")
        out.append(replace(primary, message=message, notes=tuple(dict.fromkeys(notes))))
    return out


def combine_views(views, declared: bool):
    """The RuntimeConfig of a pool that may run any of the views' versions."""
    from dataclasses import replace

    first = views[0]
    handlers: dict = {}
    for view in views:
        for name, h in view.handlers.items():
            h.versions = tuple(view.versions)
            if name in handlers:
                handlers[name].versions = handlers[name].versions + tuple(view.versions)
            else:
                handlers[name] = replace(h)
    notes = list(dict.fromkeys(n for v in views for n in v.notes))
    semantics = "+".join(dict.fromkeys(v.semantics.replace("containerd-", "") for v in views))
    return replace(
        first,
        handlers=handlers,
        findings=combine_findings(views, declared),
        notes=notes,
        semantics=f"containerd-{semantics}",
        versions=tuple(line for v in views for line in v.versions),
        versions_declared=declared,
        views=list(views),
        failures=[],
    )
