"""Reporters: pure functions (Result, catalogue) -> str. One module per format."""

from __future__ import annotations

from typing import Callable, Dict

FORMATS = ("text", "json")


def get_reporter(name: str) -> Callable:
    if name == "text":
        from rclint.reporters.text import render
    elif name == "json":
        from rclint.reporters.jsonfmt import render
    else:  # pragma: no cover - click restricts the choices
        raise ValueError(name)
    return render


def summary_counts(result) -> Dict[str, int]:
    return result.counts()
