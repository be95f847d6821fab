#!/usr/bin/env python3
"""The yardstick: compose every YAML document of every manifest file with libyaml (PyYAML C).

    python benchmarks/compose.py ROOT

Walks ROOT like a linter would (.yaml, .yml, .json), reads each file and composes every
document into nodes with `yaml.compose_all(..., Loader=yaml.CSafeLoader)`: nodes with
positions, nothing typed, no rule run. A file that does not parse is counted and skipped.
Prints one line: files, documents, bytes, errors. PyYAML is a benchmark-only dependency.
"""

from __future__ import annotations

import os
import sys

import yaml


def main() -> None:
    root = sys.argv[1]
    if not getattr(yaml, "__with_libyaml__", False):
        sys.exit("PyYAML was built without libyaml: the yardstick would be the pure-Python parser")
    files = docs = size = errors = 0
    for dirpath, dirnames, names in os.walk(root):
        dirnames.sort()
        for name in sorted(names):
            if not name.endswith((".yaml", ".yml", ".json")):
                continue
            with open(os.path.join(dirpath, name), "rb") as fh:
                data = fh.read()
            files += 1
            size += len(data)
            try:
                for _node in yaml.compose_all(data, Loader=yaml.CSafeLoader):
                    docs += 1
            except yaml.YAMLError:
                errors += 1
    print(f"{files} files, {docs} documents, {size} bytes, {errors} files with errors")


if __name__ == "__main__":
    main()
