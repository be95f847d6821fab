"""The rule catalogue: one `rules/RCLnnn.yaml` per rule, shipped inside the package.

The files are the single source for `rclint rules`, `rclint rule CODE`, SARIF rule metadata
and the example-driven tests. In a wheel they live in the `rclint._rules` package; in a
source checkout that was not installed they are read from `rules/` next to the package.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional

from rclint.model import Severity

if TYPE_CHECKING:
    from rclint.ruledata import Example, Rule

CODE_RE = re.compile(r"^RCL\d{3}$")
FIX_KINDS = ("safe", "unsafe", "none")


def __getattr__(name: str):
    """`Rule` and `Example` live in rclint.ruledata, imported when the rule files are parsed:
    a run that only needs the rules' severities (from the generated index) never defines them."""
    if name in ("Rule", "Example"):
        from rclint import ruledata

        return getattr(ruledata, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class CatalogError(Exception):
    pass


def _resource_dir(package: str, fallback: str):
    # the two usual layouts first, without importing importlib.resources (~10 ms of start-up)
    here = Path(__file__).resolve().parent
    for candidate in (here / package.rsplit(".", 1)[-1], here.parent / fallback):
        if candidate.is_dir():
            return candidate
    from importlib import resources

    try:
        root = resources.files(package)
        if root.is_dir():
            return root
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / fallback


def rules_dir():
    return _resource_dir("rclint._rules", "rules")


def schemas_dir():
    return _resource_dir("rclint._schemas", "schemas")


@functools.lru_cache(maxsize=None)
def read_schema(name: str) -> dict:
    import json

    return json.loads((schemas_dir() / name).read_text(encoding="utf-8"))


def _parse_rule(name: str, text: str) -> Rule:
    from rclint.ruledata import Example, Rule
    from rclint.yamlsource import Chunk, YamlLimitError, YamlSyntaxError, parse_chunk

    try:
        docs = list(parse_chunk(Chunk(text, 0, 0), name))
    except (YamlSyntaxError, YamlLimitError) as exc:
        raise CatalogError(f"{name}:{exc.span.line}:{exc.span.column}: {exc.message}") from None
    if len(docs) != 1 or not isinstance(docs[0].value, dict):
        raise CatalogError(f"{name}: a rule file holds one mapping")
    d = docs[0].value
    try:
        examples = tuple(
            Example(
                name=str(e["name"]),
                kind=str(e["kind"]),
                files={str(k): str(v) for k, v in e["files"].items()},
                config=dict(e.get("config") or {}),
                args=tuple(e.get("args") or ()),
                fixed=({str(k): str(v) for k, v in e["fixed"].items()} if isinstance(e.get("fixed"), dict) else None),
            )
            for e in (d.get("examples") or [])
        )
        rule = Rule(
            id=d["id"],
            name=d["name"],
            title=d["title"],
            severity=Severity.parse(d["severity"]),
            status=d.get("status", "stable"),
            applies_to=tuple(d.get("applies_to") or ()),
            rationale=str(d["rationale"]).strip(),
            remediation=str(d["remediation"]).strip(),
            references=tuple(d.get("references") or ()),
            examples=examples,
            fix=str(d.get("fix") or "none"),
            fix_summary=str(d.get("fix_summary") or "").strip(),
            security_severity=str(d["security-severity"]) if d.get("security-severity") is not None else None,
            parts=tuple((k, str(v)) for k, v in (d.get("finding") or {}).items()),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise CatalogError(f"{name}: malformed rule file ({exc})") from None
    if rule.fix not in FIX_KINDS:
        raise CatalogError(f"{name}: fix must be one of {', '.join(FIX_KINDS)}, not {rule.fix!r}")
    if rule.fix != "none" and not rule.fix_summary:
        raise CatalogError(f"{name}: a fixable rule says what its fix does (fix_summary)")
    if f"{rule.id}.yaml" != name:
        raise CatalogError(f"{name}: id {rule.id} does not match the file name")
    return rule


@functools.lru_cache(maxsize=1)
def load_catalog() -> Dict[str, Rule]:
    """Every rule, from the generated `rclint/_rule_data.py` when it matches the rule files (the
    text report names each finding's rule: parsing 45 YAML files would cost ~10 ms of every run),
    else parsed from the files themselves."""
    try:
        from rclint import _rule_data

        if _rule_data.DIGEST == _rules_digest():
            return _from_data(_rule_data.RULES)
    except (ImportError, AttributeError, OSError):
        pass
    return parse_catalog()


def parse_catalog() -> Dict[str, Rule]:
    """Every rule, parsed from its rule file."""
    rules: Dict[str, Rule] = {}
    base = rules_dir()
    for entry in sorted(base.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml") and CODE_RE.match(entry.name[:-5]):
            rule = _parse_rule(entry.name, entry.read_text(encoding="utf-8"))
            rules[rule.id] = rule
    if not rules:
        raise CatalogError(f"no rule files found in {base}")
    return rules


def _to_data(rule: Rule) -> dict:
    """A rule as plain Python data (`_from_data` turns it back into an equal Rule)."""
    from dataclasses import asdict

    data = asdict(rule)
    data["severity"] = rule.severity.label
    data["examples"] = tuple(asdict(ex) for ex in rule.examples)
    return data


def _from_data(rules) -> Dict[str, Rule]:
    from rclint.ruledata import Example, Rule

    out: Dict[str, Rule] = {}
    for d in rules:
        rule = Rule(**dict(d, severity=Severity.parse(d["severity"]),
                           examples=tuple(Example(**ex) for ex in d["examples"])))
        out[rule.id] = rule
    return out


@functools.lru_cache(maxsize=1)
def _rules_digest() -> str:
    """A digest of every rule file's name and bytes (reading 40 small files costs ~1 ms; parsing them ~15)."""
    import zlib  # a small C module; hashlib (OpenSSL) would cost ~5 ms of start-up

    crc, adler = 0, 1
    for entry in sorted(rules_dir().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml") and CODE_RE.match(entry.name[:-5]):
            data = entry.name.encode() + b"\0" + entry.read_bytes() + b"\0"
            crc, adler = zlib.crc32(data, crc), zlib.adler32(data, adler)
    return f"{crc:08x}{adler:08x}"


def index_source() -> str:
    """The text of `rclint/_rule_index.py`, generated from the rule files."""
    rules = parse_catalog()
    sev = ",\n".join(f"    {code!r}: {rule.severity.label!r}" for code, rule in rules.items())
    names = ",\n".join(f"    {code!r}: {rule.name!r}" for code, rule in rules.items())
    return ("# Generated from rules/*.yaml by `python -m rclint.catalog --write-index`; a test keeps it in sync.\n"
            "# The default severity and the name of every rule, so that a run need not load the rule files.\n"
            f"DIGEST = {_rules_digest()!r}\nSEVERITIES = {{\n{sev},\n}}\nNAMES = {{\n{names},\n}}\n")


def data_source() -> str:
    """The text of `rclint/_rule_data.py`: every rule file's content as Python data."""
    rules = []
    for rule in parse_catalog().values():
        fields = "".join(f"        {key!r}: {value!r},\n" for key, value in _to_data(rule).items())
        rules.append(f"    {{\n{fields}    }},\n")
    return ("# Generated from rules/*.yaml by `python -m rclint.catalog --write-index`; a test keeps it in sync.\n"
            "# Every rule file's content, so that a run need not parse the rule files (rclint.catalog.load_catalog).\n"
            f"DIGEST = {_rules_digest()!r}\nRULES = (\n{''.join(rules)})\n")


@functools.lru_cache(maxsize=1)
def rule_severities() -> Dict[str, Severity]:
    """code -> default severity, from the generated index when it matches the rule files."""
    try:
        from rclint import _rule_index

        if _rule_index.DIGEST == _rules_digest():
            return {code: Severity.parse(label) for code, label in _rule_index.SEVERITIES.items()}
    except (ImportError, AttributeError, OSError):
        pass
    return {code: rule.severity for code, rule in load_catalog().items()}


@functools.lru_cache(maxsize=1)
def rule_names() -> Dict[str, str]:
    """code -> rule name, from the generated index when it matches the rule files."""
    try:
        from rclint import _rule_index

        if _rule_index.DIGEST == _rules_digest():
            return dict(_rule_index.NAMES)
    except (ImportError, AttributeError, OSError):
        pass
    return {code: rule.name for code, rule in load_catalog().items()}


def rule_name(catalog, code: str) -> str:
    """The name of rule `code` in `catalog` ("" when it has no such rule). A LazyCatalog answers
    from the generated index: the reports that only name rules never load the whole catalogue."""
    if isinstance(catalog, LazyCatalog):
        return rule_names().get(code, "")
    rule = (catalog or {}).get(code)
    return rule.name if rule is not None else ""


class LazyCatalog(Mapping):
    """The catalogue, loaded on first use (the JSON report never looks at it)."""

    def _rules(self) -> Dict[str, Rule]:
        return load_catalog()

    def __getitem__(self, code: str) -> Rule:
        return self._rules()[code]

    def __iter__(self):
        return iter(self._rules())

    def __len__(self) -> int:
        return len(self._rules())


def known_codes() -> List[str]:
    return sorted(rule_severities())


def names() -> Dict[str, str]:
    """Rule name -> code ('unknown-runtime-class' -> 'RCL101')."""
    return {name: code for code, name in rule_names().items()}


def resolve(token: str) -> Optional[str]:
    """A rule code or a rule name (any case) -> the code; None when it is neither."""
    t = str(token).strip()
    if t.upper() in rule_names():
        return t.upper()
    return names().get(t.lower())


def closest(token: str) -> Optional[str]:
    """The code whose code or name is nearest to `token`, for an "unknown rule" message."""
    import difflib

    t = str(token).strip().lower()
    if t.startswith("rcl"):  # RCL1O1 -> RCL101: letters that look like digits
        fixed = "RCL" + t[3:].translate(str.maketrans("oils", "0115"))
        if fixed in rule_names():
            return fixed
    by_name = names()
    candidates = sorted(by_name) + sorted(rule_names())
    best, best_score = None, 0.0
    for c in candidates:  # the first of equally close candidates wins (deterministic, no tie on order)
        score = difflib.SequenceMatcher(None, t, c.lower()).ratio()
        if score > best_score:
            best, best_score = c, score
    if best is None or best_score < 0.75:
        return None
    return by_name.get(best, best)


def unknown_rule_text(token: str) -> str:
    """"'unknown-runtime-clas' is not a rule code or name (did you mean RCL101 unknown-runtime-class?)"."""
    hint = closest(token)
    if hint is not None:
        return f"'{token}' is not a rule code or name (did you mean {hint} {rule_names()[hint]}?)"
    return f"'{token}' is not a rule code or name (see `rclint rules`)"


def expand_selector(selector: str, codes: Optional[List[str]] = None) -> List[str]:
    """'ALL', a full code ('RCL101'), a code prefix ('RCL1', 'RCL10') or a rule name
    ('unknown-runtime-class') -> matching codes."""
    codes = codes if codes is not None else known_codes()
    s = selector.strip().upper()
    if s == "ALL":
        return list(codes)
    if s.startswith("RCL"):
        return [c for c in codes if c.startswith(s)]
    code = names().get(selector.strip().lower())
    return [code] if code is not None and code in codes else []


def validate_selectors(selectors, where: str, exact: bool = False) -> None:
    from rclint.settings import ConfigError

    codes = known_codes()
    for sel in selectors:
        if exact:
            if resolve(sel) is None:
                raise ConfigError(f"{where}: {unknown_rule_text(sel)}")
        elif not expand_selector(sel, codes):
            hint = closest(sel)
            extra = f"; did you mean {hint} {rule_names()[hint]}?" if hint else ""
            raise ConfigError(f"{where}: '{sel}' matches no rule code or name (codes look like RCL101, a prefix "
                              f"like RCL1, or a name like unknown-runtime-class){extra}")


def markdown_table(catalog: Dict[str, Rule]) -> str:
    """The README's rules table (a test keeps the committed copy current)."""
    rows = ["| code | name | severity | what it catches |", "|---|---|---|---|"]
    for rule in catalog.values():
        rows.append(f"| {rule.id} | `{rule.name}` | {rule.severity.label} | {rule.title} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # python -m rclint.catalog --write-index
    import sys

    here = Path(__file__).resolve().parent
    if sys.argv[1:] == ["--write-index"]:
        (here / "_rule_index.py").write_text(index_source(), encoding="utf-8")
        (here / "_rule_data.py").write_text(data_source(), encoding="utf-8")
    else:
        sys.exit("usage: python -m rclint.catalog --write-index")
