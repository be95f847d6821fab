"""Command line: click parses flags into Settings, calls the engine, picks a reporter, sets the exit code.

Exit codes: 0 no finding at or above --fail-on; 1 there is one; 2 usage/configuration error
or an internal bug (one line; --debug shows the traceback).
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import List, Optional

import click

from rclint import __version__
from rclint.model import Severity

SEVERITIES = ("error", "warning", "info")


def _split_codes(values) -> List[str]:
    out: List[str] = []
    for v in values or ():
        out.extend(part.strip() for part in v.split(",") if part.strip())
    return out


def _fail(message: str) -> "None":
    click.echo(f"rclint: error: {message}", err=True)
    sys.exit(2)


def _internal_error(exc: BaseException, debug: bool) -> "None":
    if debug:
        traceback.print_exc()
    else:
        click.echo(
            f"rclint: internal error: {exc.__class__.__name__}: {exc} (rerun with --debug for the traceback)",
            err=True,
        )
    sys.exit(2)


def _write(text: str, output: Optional[str]) -> None:
    if output and output != "-":
        with open(output, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="rclint")
def main() -> None:
    """rclint: lint Kubernetes RuntimeClasses, the pods that use them, and the node runtime configs behind them."""


@main.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE instead of stdout.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Configuration file (.rclint.toml or pyproject.toml); default: found by walking up from the first path.")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--select", multiple=True, help="Only these rule codes or prefixes (comma-separated, repeatable).")
@click.option("--extend-select", multiple=True, help="Add these codes to the selection.")
@click.option("--ignore", multiple=True, help="Skip these rule codes or prefixes.")
@click.option("--known-runtime-class", "known", multiple=True,
              help="A RuntimeClass the cluster provides (e.g. gvisor on GKE); repeatable.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Exit 1 when a finding is at least this severe [default: error].")
@click.option("--min-severity", type=click.Choice(SEVERITIES), help="Hide findings below this severity [default: info].")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--stdin-filename", default=None, help="The name to report for input read from '-'.")
@click.option("--max-file-size", default=None, help="Skip (RCL003) files larger than this, e.g. 20MiB.")
@click.option("--node-config", "node_configs", multiple=True, type=click.Path(),
              help="A containerd or CRI-O config file (or a directory of them) to include, even outside PATHS; repeatable.")
@click.option("--color/--no-color", "colour", default=None, help="Colour the text output [default: only on a terminal].")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def check_cmd(paths, fmt, output, config_file, isolated, select, extend_select, ignore, known, fail_on,
              min_severity, exit_zero, stdin_filename, max_file_size, node_configs, colour, debug) -> None:
    """Lint PATHS (files or directories; '-' reads standard input). Default: the current directory."""
    from rclint.settings import ConfigError, load_settings, parse_size

    try:
        settings = load_settings(paths or ["."], config=config_file, isolated=isolated)
        from rclint.catalog import validate_selectors

        for flag, values in (("--select", select), ("--extend-select", extend_select), ("--ignore", ignore)):
            codes = _split_codes(values)
            if not codes:
                continue
            validate_selectors(codes, flag)
            if flag == "--select":
                settings.select = codes
            elif flag == "--extend-select":
                settings.extend_select = settings.extend_select + codes
            else:
                settings.ignore = settings.ignore + codes
        settings.known_runtime_classes = settings.known_runtime_classes + list(known)
        settings.node_configs = settings.node_configs + list(node_configs)
        if fail_on:
            settings.fail_on = Severity.parse(fail_on)
        if min_severity:
            settings.min_severity = Severity.parse(min_severity)
        if stdin_filename:
            settings.stdin_filename = stdin_filename
        if max_file_size:
            settings.max_file_size = parse_size(max_file_size)
        from rclint.engine import run

        result = run(settings)
    except ConfigError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # an rclint bug, never bad input
        _internal_error(exc, debug)

    try:
        from rclint.reporters import get_reporter
        from rclint.reporters.text import summary

        render = get_reporter(fmt)
        if fmt == "text":
            use_colour = colour if colour is not None else (not output and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
            text = render(result, colour=use_colour)
        else:
            text = render(result)
        _write(text, output)
        if fmt == "text" or output:
            click.echo(summary(result), err=True)
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror}")
    except Exception as exc:
        _internal_error(exc, debug)

    worst = result.max_severity()
    if exit_zero or worst is None or worst < settings.fail_on:
        sys.exit(0)
    sys.exit(1)


@main.command("nodes")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--node-config", "node_configs", multiple=True, type=click.Path(),
              help="A containerd or CRI-O config file (or a directory of them) to include; repeatable.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file.")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def nodes_cmd(paths, fmt, node_configs, config_file, isolated, debug) -> None:
    """Show what rclint believes each node pool provides: sources, runtime, default and every handler."""
    from rclint.settings import ConfigError, load_settings

    try:
        settings = load_settings(paths or ["."], config=config_file, isolated=isolated)
        settings.node_configs = settings.node_configs + list(node_configs)
        from rclint.engine import load_node_pools
        from rclint.reporters.nodes import render_nodes

        pools, _findings = load_node_pools(settings)
        click.echo(render_nodes(pools, fmt), nl=False)
    except ConfigError as exc:
        _fail(str(exc))
    except Exception as exc:
        _internal_error(exc, debug)


@main.command("rules")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def rules_cmd(fmt) -> None:
    """List every rule: code, name, default severity."""
    import json

    from rclint.catalog import load_catalog, markdown_table

    catalog = load_catalog()
    if fmt == "markdown":
        click.echo(markdown_table(catalog), nl=False)
        return
    if fmt == "json":
        data = [{"code": r.id, "name": r.name, "severity": r.severity.label, "title": r.title} for r in catalog.values()]
        click.echo(json.dumps(data, indent=2))
        return
    width = max(len(r.name) for r in catalog.values())
    for r in catalog.values():
        click.echo(f"{r.id}  {r.name:<{width}}  {r.severity.label:<7}  {r.title}")


@main.command("rule")
@click.argument("code")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rule_cmd(code, fmt) -> None:
    """Explain one rule: what it checks, why it breaks, how to fix it."""
    import json

    from rclint.catalog import load_catalog

    catalog = load_catalog()
    rule = catalog.get(code.strip().upper())
    if rule is None:
        _fail(f"unknown rule code '{code}' (see `rclint rules`)")
    if fmt == "json":
        click.echo(json.dumps({
            "code": rule.id, "name": rule.name, "title": rule.title, "severity": rule.severity.label,
            "status": rule.status, "applies_to": list(rule.applies_to), "rationale": rule.rationale,
            "remediation": rule.remediation, "references": list(rule.references),
        }, indent=2))
        return
    out = [f"{rule.id} {rule.name} [{rule.severity.label}]", "", rule.title, "", "Why:", _indent(rule.rationale), "",
           "Fix:", _indent(rule.remediation)]
    if rule.applies_to:
        out += ["", "Applies to: " + ", ".join(rule.applies_to)]
    if rule.references:
        out += ["", "References:"] + [f"  - {r}" for r in rule.references]
    click.echo("\n".join(out))


def _indent(text: str) -> str:
    return "\n".join(("  " + line) if line else "" for line in text.splitlines())
