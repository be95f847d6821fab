"""Running rclint in-process on files written to a temporary directory."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

from rclint.engine import run
from rclint.settings import Settings, apply_config, load_settings

EXPECT = re.compile(r"#\s*expect:\s*(.*?)\s*$")
TOKEN = re.compile(r"^(RCL\d{3})@(\d+)$")


def heavy():
    """benchmarks/heavy.py, the deterministic generator of the heavy tree, as a module."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "heavy.py"
    spec = importlib.util.spec_from_file_location("rclint_bench_heavy", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write_files(root: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def expectations(files: Dict[str, str]) -> List[Tuple[str, int, int, str]]:
    """(path, line, column, code) from `# expect: RCL101@21, RCL209@3` markers."""
    out = []
    for name, text in files.items():
        for lineno, line in enumerate(text.splitlines(), 1):
            m = EXPECT.search(line)
            if not m:
                continue
            for token in m.group(1).split(","):
                t = TOKEN.match(token.strip())
                if not t:
                    raise AssertionError(f"{name}:{lineno}: malformed expect marker {token!r} (use RCL101@COLUMN)")
                out.append((name, lineno, int(t.group(2)), t.group(1)))
    return sorted(out)


def lint(root: Path, *, paths: Iterable[str] = (".",), select: Optional[List[str]] = None,
         config: Optional[dict] = None, **overrides):
    """Run the engine with `root` as the working directory; returns the Result."""
    old = os.getcwd()
    os.chdir(root)
    try:
        settings: Settings = load_settings(list(paths), isolated=True)
        if config:
            apply_config(settings, config, root / ".rclint.toml")
        if select is not None:
            settings.select = select
        for key, value in overrides.items():
            setattr(settings, key, value)
        return run(settings)
    finally:
        os.chdir(old)


def found(result) -> List[Tuple[str, int, int, str]]:
    return sorted((f.path, f.span.line, f.span.column, f.code) for f in result.findings)
