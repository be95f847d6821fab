"""Command line: click parses flags into Settings, calls the engine, picks a reporter, sets the exit code.

Exit codes: 0 no finding at or above --fail-on; 1 there is one; 2 usage/configuration error
or an internal bug (one line; --debug shows the traceback); 130 interrupted (Ctrl-C). A reader
that closes the pipe early (`rclint check . | head -1`) ends the output quietly.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from typing import List, Optional


def _importing(*modules: str):
    """Imports create tens of thousands of long-lived objects and no garbage: the cyclic garbage
    collector is off while they run (it would run ~20 times, ~3 ms, over this module's imports
    alone), and what they created is then frozen out of its sight. Nothing is done when the
    modules are already imported (a process that runs several commands) or the collector is off."""
    from rclint.perf import gc_paused

    return gc_paused(skip=all(m in sys.modules for m in modules))


with _importing("click", "rclint.model", "rclint.textio"):
    import click

    from rclint import __version__
    from rclint.model import Severity
    from rclint.textio import visible

SEVERITIES = ("error", "warning", "info")

# At exit the interpreter's last garbage collections walk every object still alive: ~8 ms of
# a run that replays a cached result, more than its own work. Nothing a run leaves behind needs
# them (loading already keeps its objects out of the collector's sight: rclint.engine), so
# everything is frozen out of their sight first.
atexit.register(gc.freeze)


def _split_codes(values) -> List[str]:
    out: List[str] = []
    for v in values or ():
        out.extend(part.strip() for part in v.split(",") if part.strip())
    return out


def _fail(message: str) -> "None":
    click.echo(f"rclint: error: {visible(str(message))}", err=True)
    sys.exit(2)


def _internal_error(exc: BaseException, debug: bool) -> "None":
    if debug:
        import traceback  # only here: it costs start-up

        traceback.print_exc()
    else:
        click.echo(
            f"rclint: internal error: {exc.__class__.__name__}: {visible(str(exc))} (rerun with --debug for the traceback)",
            err=True,
        )
    sys.exit(2)


_STDERR = "\0stderr"  # an --output that means standard error (reports while stdout carries fixed input)


def _stdin_with_context(settings, stdin_filename: Optional[str]) -> None:
    """`helm template . | rclint check -` inside a repository: the repository's RuntimeClasses,
    node configs and node pools are the context (as with --changed-only), and only the findings
    in the stream are reported. Outside a repository the stream is linted alone."""
    from rclint.discovery import find_repo_root
    from rclint.settings import display_path

    root = find_repo_root(os.getcwd())
    if root is None:
        return
    if stdin_filename:
        settings.stdin_filename = stdin_filename
    settings.paths = ["-", display_path(root)]
    settings.only_paths = [settings.stdin_filename]


def _use_colour(flag: Optional[bool], out: Optional[str]) -> bool:
    """--color/--no-color, else NO_COLOR (set and not empty: never), else FORCE_COLOR or
    CLICOLOR_FORCE (set, not empty and not "0": always), else only on a terminal."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    if any(os.environ.get(v, "") not in ("", "0") for v in ("FORCE_COLOR", "CLICOLOR_FORCE")):
        return True
    return out in (None, "-") and sys.stdout.isatty()


def _srcroot_prefix() -> str:
    """Where the working directory sits inside its repository ("" at the root, "sub/dir/"
    below it), so that machine reports name files relative to the repository root."""
    from rclint.discovery import find_repo_root

    root = find_repo_root(os.getcwd())
    if root is None:
        return ""
    rel = os.path.relpath(os.getcwd(), root).replace(os.sep, "/")
    return "" if rel == "." else rel.rstrip("/") + "/"


def _interrupted() -> "None":
    """Ctrl-C: one line, exit 130 (the shell's code for SIGINT), never a traceback."""
    try:
        click.echo("rclint: interrupted", err=True)
    finally:
        sys.exit(130)


def _stdout_closed() -> None:
    """The reader went away (`| head -1`): drop the rest of the output without a word."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


class _Main(click.Group):
    """Ctrl-C and a closed stdout are handled here for every command."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _interrupted()
        except BrokenPipeError:
            _stdout_closed()
            sys.exit(0)


def _write(text, output: Optional[str], roots=()) -> None:
    """Write a report: a string, or its pieces (written as they come)."""
    pieces = [text] if isinstance(text, str) else text
    # never invalid UTF-8, whatever a reporter let through (`?` is valid in every format)
    pieces = (piece.encode("utf-8", "replace").decode("utf-8") for piece in pieces)
    if output and output != "-" and output != _STDERR:
        from rclint.fspolicy import write_file

        write_file(output, pieces, roots)  # atomic, never through a symlink
        return
    stream = sys.stderr if output == _STDERR else sys.stdout
    for piece in pieces:
        stream.write(piece)
    stream.flush()


def _check_outputs(outputs, roots) -> None:
    """Refuse, before any work, an output that would be written through a symlink."""
    from rclint.fspolicy import check_writable

    for out in outputs:
        if out and out != "-":
            try:
                check_writable(out, roots)
            except OSError as exc:
                _fail(f"cannot write {visible(out)}: {exc.strerror}")


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="rclint")
def main() -> None:
    """rclint: lint Kubernetes RuntimeClasses, the pods that use them, and the node runtime configs behind them."""


class _OrderedCommand(click.Command):
    """Keeps the raw arguments so that each --output can go with the --format before it."""

    def parse_args(self, ctx, args):
        ctx.meta["rclint.raw_args"] = list(args)
        return super().parse_args(ctx, args)


def _format_output_sequence(raw):
    """[('format', v) | ('output', v)] in command-line order."""
    seq = []
    it = iter(raw)
    for tok in it:
        if tok == "--":
            break
        for kind, long, short in (("format", "--format", "-f"), ("format", "--output-format", None),
                                  ("output", "--output", "-o")):
            if tok == long or (short is not None and tok == short):
                seq.append((kind, next(it, "")))
            elif tok.startswith(long + "="):
                seq.append((kind, tok[len(long) + 1:]))
            elif short is not None and tok.startswith(short) and len(tok) > 2 and not tok.startswith("--"):
                seq.append((kind, tok[2:]))
    return seq


def _pair_outputs(raw_args):
    """--format/--output pairs: an --output belongs to the --format given before it (or, when
    it comes first, to the only format); formats without an output go to stdout (only one may)."""
    pairs = []  # [format, output]
    pending_output = None
    for kind, value in _format_output_sequence(raw_args):
        if kind == "format":
            pairs.append([value, None])
        elif pairs and pairs[-1][1] is None:
            pairs[-1][1] = value
        elif not pairs and pending_output is None:
            pending_output = value
        else:
            raise click.UsageError(f"--output {value}: give it a --format of its own (e.g. --format sarif --output {value})")
    if not pairs:
        pairs.append(["auto", None])
    if pending_output is not None:
        if len(pairs) != 1 or pairs[0][1] is not None:
            raise click.UsageError(f"--output {pending_output}: put it after the --format it is for")
        pairs[0][1] = pending_output
    out = []
    for fmt, dest in pairs:
        if fmt == "auto":
            fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
        if fmt == "text":
            fmt = "full"  # the human-readable default, on a terminal and off it alike
        out.append((fmt, dest))
    if sum(1 for _f, o in out if o in (None, "-")) > 1:
        raise click.UsageError("only one --format can write to stdout: give the others an --output FILE")
    return out


@main.command("check", cls=_OrderedCommand)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "-f", "--output-format", "formats", multiple=True,
              type=click.Choice(["auto", "text", "full", "concise", "json", "sarif", "github", "junit", "gitlab"]),
              help="Output format; repeatable, paired in order with --output [default: auto: github "
                   "annotations under GitHub Actions, else full]. text = full: code frames with help and "
                   "notes; concise: one line a finding.")
@click.option("--statistics", is_flag=True, help="Print a count of findings per rule instead of the findings.")
@click.option("--output", "-o", "outputs", multiple=True, type=click.Path(dir_okay=False),
              help="Write the report of the matching --format to FILE instead of stdout; repeatable.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Configuration file (.rclint.toml or pyproject.toml); default: found by walking up from the first path.")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--select", multiple=True, help="Only these rule codes, names or prefixes (comma-separated, repeatable).")
@click.option("--extend-select", multiple=True, help="Add these codes or names to the selection.")
@click.option("--ignore", multiple=True, help="Skip these rule codes, names or prefixes.")
@click.option("--exclude", "exclude", multiple=True,
              help="Skip files matching these gitignore-style patterns (replaces the configuration's `exclude`).")
@click.option("--extend-exclude", "extend_exclude", multiple=True,
              help="Skip files matching these gitignore-style patterns, in addition to `exclude`.")
@click.option("--respect-gitignore/--no-respect-gitignore", "respect_gitignore", default=None,
              help="Skip what the repository's .gitignore files ignore [default: yes].")
@click.option("--known-runtime-class", "known", multiple=True,
              help="A RuntimeClass the cluster provides (e.g. gvisor on GKE); repeatable.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Exit 1 when a finding is at least this severe [default: error].")
@click.option("--min-severity", type=click.Choice(SEVERITIES), help="Hide findings below this severity [default: info].")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--stdin-filename", default=None, help="The name to report for input read from '-'.")
@click.option("--max-file-size", default=None, help="Skip (RCL003) files larger than this, e.g. 20MiB.")
@click.option("--node-config", "node_configs", multiple=True, type=click.Path(),
              help="A containerd or CRI-O config file (or a directory of them) to include, even outside PATHS; repeatable.")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Report only findings that are not in this baseline file.")
@click.option("--write-baseline", type=click.Path(dir_okay=False),
              help="Record the current findings in FILE (then use it with --baseline) and exit 0.")
@click.option("--changed-only", is_flag=True,
              help="PATHS are changed files: lint the whole repository (the current directory) as context, "
                   "but report only findings in those files (for pre-commit).")
@click.option("--sarif-category", "automation_id", default=None,
              help="SARIF runAutomationDetails.id (the code scanning category).")
@click.option("--diff-base", "diff_base", default=None, metavar="REV",
              help="Report only findings that are not already there at git revision REV (e.g. the pull request's "
                   "base), in any file, including files the change did not touch.")
@click.option("--cluster", is_flag=True,
              help="Also read the RuntimeClasses and Nodes of the live cluster, through kubectl, as `rclint snapshot` "
                   "would write them.")
@click.option("--context", "kube_context", default=None, help="With --cluster: the kubectl context to use.")
@click.option("--kubeconfig", default=None, type=click.Path(dir_okay=False),
              help="With --cluster: the kubeconfig file kubectl should use.")
@click.option("--kubectl", default="kubectl", show_default=True, help="With --cluster: the kubectl command.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Where to keep results for re-runs over unchanged inputs [default: rclint in the user cache "
                   "directory]. Never inside a scanned path.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0,
              help="Processes for loading files [default: 0, every core when the input is big enough].")
@click.option("--color/--no-color", "colour", default=None, help="Colour the text output [default: only on a terminal].")
@click.option("--fix", "fix", is_flag=True,
              help="Apply the safe fixes (findings marked [*]) to the files, then report what remains; "
                   "with '-' print the fixed input to stdout.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff instead of writing them.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff, apply the unsafe fixes too.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def check_cmd(paths, formats, statistics, outputs, config_file, isolated, select, extend_select, ignore,
              exclude, extend_exclude, respect_gitignore, known, fail_on,
              min_severity, exit_zero, stdin_filename, max_file_size, node_configs, baseline, write_baseline,
              changed_only, diff_base, cluster, kube_context, kubeconfig, kubectl, automation_id, cache_dir, no_cache,
              jobs, colour, fix, diff, unsafe_fixes, debug) -> None:
    """Lint PATHS (files or directories; '-' reads standard input). Default: the current directory."""
    with _importing("rclint.settings"):
        from rclint.settings import ConfigError, display_path, load_settings, parse_size

    pairs = _pair_outputs(click.get_current_context().meta.get("rclint.raw_args", []))
    if statistics and not any(fmt in ("full", "concise") for fmt, _out in pairs):
        raise click.UsageError("--statistics replaces the text report: use it with --format full or concise")
    try:
        if changed_only:
            settings = load_settings(["."], config=config_file, isolated=isolated)
            settings.only_paths = [display_path(p) for p in paths]
        else:
            settings = load_settings(paths or ["."], config=config_file, isolated=isolated)
            if list(paths) == ["-"]:
                _stdin_with_context(settings, stdin_filename)
        if exclude:
            settings.exclude = list(exclude)
        if extend_exclude:
            settings.extend_exclude = settings.extend_exclude + list(extend_exclude)
        if respect_gitignore is not None:
            settings.respect_gitignore = respect_gitignore
        settings.write_baseline = write_baseline
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
        if baseline and not write_baseline:
            settings.baseline = baseline
        _check_outputs([out for _f, out in pairs] + [write_baseline], settings.paths)
        if not no_cache:
            from rclint.cache import default_dir

            settings.cache_dir = cache_dir or default_dir()
        settings.jobs = jobs
        if cluster:
            from rclint import cluster as cluster_mod

            opts = cluster_mod.KubectlOptions(kubectl=kubectl, context=kube_context, kubeconfig=kubeconfig)
            classes, nodes = cluster_mod.fetch(opts)
            text = cluster_mod.snapshot_text(classes, nodes)
            settings.extra_inputs = settings.extra_inputs + [(cluster_mod.LIVE_DISPLAY, text.encode("utf-8"))]
        elif kube_context or kubeconfig:
            raise ConfigError("--context and --kubeconfig go with --cluster")
        with _importing("rclint.engine"):
            from rclint.engine import run

        if diff_base is not None and "-" in settings.paths:
            raise ConfigError("--diff-base lints files in a git repository, not standard input")
        before = None
        if diff_base is not None:  # the base tree is linted once, before any fix pass reads the files
            from rclint import diffbase

            before, commit = diffbase.base_findings(settings, diff_base, run)

        def lint():
            result = run(settings)
            if before is not None:
                result.findings, known = diffbase.new_findings(result.findings, before)
                result.stats.notes.append(f"diff base {diff_base} ({commit[:12]}): {known} finding"
                                          f"{'s' if known != 1 else ''} already there not reported")
            return result

        outcome = None
        if fix or diff:
            from rclint.fixes import fix_loop

            # every fix pass reads its inputs in this process, through rclint.fixes.observed: no
            # replayed result (the cache keys the files on disk) and no worker processes
            settings.cache_dir, settings.jobs = None, 1

            outcome = fix_loop(lint, unsafe_fixes)
            result = outcome.result
        else:
            result = lint()
    except ConfigError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _interrupted()
    except Exception as exc:  # an rclint bug, never bad input
        _internal_error(exc, debug)

    fix_note = ""
    if outcome is not None:
        try:
            result, fix_note, stdin_fixed = _deliver_fixes(outcome, settings, diff, lint)
        except Exception as exc:
            _internal_error(exc, debug)
        if diff:
            click.echo(fix_note, err=True)
            sys.exit(1 if outcome.changed and not exit_zero else 0)
        if stdin_fixed:  # stdout carries the fixed stream: reports to stderr unless sent to a file
            pairs = [(fmt, out if out not in (None, "-") else _STDERR) for fmt, out in pairs]
    elif not write_baseline:
        from rclint.fixes import fixable_note

        fix_note = fixable_note(result)

    if write_baseline:
        from rclint import baseline as baseline_mod

        try:
            _write(baseline_mod.render(result.findings), write_baseline, settings.paths)
        except OSError as exc:
            _fail(f"cannot write {visible(write_baseline)}: {exc.strerror}")
        n = len(result.findings)
        click.echo(f"rclint: wrote {n} finding{'s' if n != 1 else ''} to the baseline {visible(write_baseline)}", err=True)
        sys.exit(0)

    try:
        from rclint.catalog import LazyCatalog
        from rclint.reporters import get_chunked_reporter, get_reporter
        from rclint.reporters.text import summary

        catalog = LazyCatalog()
        for fmt, out in pairs:
            render = get_reporter(fmt)
            if statistics and fmt in ("full", "concise"):
                from rclint.reporters.text import statistics as render_statistics

                text = render_statistics(result, catalog)
            elif fmt in ("full", "concise"):
                text = get_chunked_reporter(fmt)(result, catalog, colour=_use_colour(colour, out), style=fmt)
            elif fmt == "sarif":
                text = render(result, catalog, automation_id=automation_id, srcroot=_srcroot_prefix())
            elif fmt == "junit":
                text = render(result, catalog, fail_on=settings.fail_on)
            elif fmt in ("gitlab", "github"):
                text = render(result, catalog, srcroot=_srcroot_prefix())
            else:
                text = (get_chunked_reporter(fmt) or render)(result, catalog)
            _write(text, out, settings.paths)
            if fmt == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
                from rclint.reporters.github import step_summary_markdown

                from rclint.fspolicy import append_file

                append_file(os.environ["GITHUB_STEP_SUMMARY"], step_summary_markdown(result, catalog))
        if not any(fmt == "github" and out in (None, "-") for fmt, out in pairs):
            click.echo(summary(result), err=True)  # github annotations end with their own summary
        if fix_note:
            click.echo(fix_note, err=True)
    except KeyboardInterrupt:
        _interrupted()
    except BrokenPipeError:
        _stdout_closed()
    except OSError as exc:
        _fail(f"cannot write {visible(str(exc.filename))}: {exc.strerror}")
    except Exception as exc:
        _internal_error(exc, debug)

    worst = result.max_severity()
    if exit_zero or worst is None or worst < settings.fail_on:
        sys.exit(0)
    sys.exit(1)


def _deliver_fixes(outcome, settings, diff, run):
    """Write (or print as a diff, or to stdout for '-') what the fix passes changed.

    Returns the result to report, the summary line about fixes, and whether stdout got the
    fixed standard input."""
    from rclint.fixes import WriteRefused, fix_summary, unified_diff, write_fixed
    from rclint.textio import visible

    stdin_fixed = False
    if diff:
        for display in sorted(outcome.changed):
            _real, old, new = outcome.changed[display]
            sys.stdout.write(unified_diff(display, old, new))
        sys.stdout.flush()
        return outcome.result, fix_summary(outcome, would=True), False
    roots = [p for p in settings.paths if p != "-"] + list(settings.node_configs)
    roots = [p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)) for p in roots]
    refused = 0
    for display in sorted(outcome.changed):
        real, old, new = outcome.changed[display]
        if real is None:
            continue
        try:
            write_fixed(real, old, new, roots)
        except WriteRefused as exc:
            refused += 1
            click.echo(f"rclint: not fixed: {visible(display)}: {exc}", err=True)
            outcome.fixed -= outcome.fixed_by_file.get(display, 0)
            outcome.fixed_by_file[display] = 0
    for display, original in sorted(outcome.stdin.items()):
        data = outcome.changed.get(display, (None, None, original))[2]
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        stdin_fixed = True
    result = outcome.result
    if refused:  # report what is on disk, not what would have been
        result = run()
    return result, fix_summary(outcome), stdin_fixed


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

        click.echo(render_nodes(load_node_pools(settings), fmt), nl=False)
    except ConfigError as exc:
        _fail(str(exc))
    except BrokenPipeError:
        raise  # the reader went away: handled quietly by the command group
    except Exception as exc:
        _internal_error(exc, debug)


@main.command("snapshot")
@click.option("--output", "-o", "output", default=None, type=click.Path(dir_okay=False),
              help="Where to write the snapshot ('-' for standard output) [default: cluster-snapshot.yaml].")
@click.option("--context", "kube_context", default=None, help="The kubectl context to read (default: the current one).")
@click.option("--kubeconfig", default=None, type=click.Path(dir_okay=False), help="The kubeconfig file kubectl should use.")
@click.option("--kubectl", default="kubectl", show_default=True, help="The kubectl command to run.")
@click.option("--timeout", default=120.0, show_default=True, type=click.FloatRange(min=1),
              help="Seconds to wait for each kubectl call.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def snapshot_cmd(output, kube_context, kubeconfig, kubectl, timeout, debug) -> None:
    """Write the cluster's RuntimeClasses and node groups to a small YAML file that `rclint check` reads.

    Runs your own kubectl (every context and auth plugin works) for two read-only lists; needs get
    and list on runtimeclasses.node.k8s.io and nodes. The file is deterministic: refreshing it from an
    unchanged cluster gives the same bytes.
    """
    from rclint import cluster as cluster_mod
    from rclint.settings import ConfigError

    target = output or cluster_mod.DEFAULT_SNAPSHOT
    if target != "-":
        _check_outputs([target], [os.getcwd()])  # never through a symlink, checked before any work
    try:
        opts = cluster_mod.KubectlOptions(kubectl=kubectl, context=kube_context, kubeconfig=kubeconfig,
                                          timeout=timeout)
        classes, nodes = cluster_mod.fetch(opts)
        text = cluster_mod.snapshot_text(classes, nodes)
    except ConfigError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _interrupted()
    except Exception as exc:
        _internal_error(exc, debug)
    try:
        _write(text, target, [os.getcwd()])
    except OSError as exc:
        _fail(f"cannot write {visible(target)}: {exc.strerror}")
    if target != "-":
        click.echo(f"rclint: wrote {cluster_mod.summary(classes, nodes)} to {visible(target)}", err=True)


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
    """Explain one rule (by code or name): what it checks, why it breaks, how to fix it, examples."""
    import json

    from rclint.catalog import load_catalog, resolve, unknown_rule_text

    catalog = load_catalog()
    resolved = resolve(code)
    if resolved is None:
        from rclint.textio import visible

        _fail(unknown_rule_text(visible(code)))
    rule = catalog[resolved]
    if fmt == "json":
        click.echo(json.dumps({
            "code": rule.id, "name": rule.name, "title": rule.title, "severity": rule.severity.label,
            "status": rule.status, "applies_to": list(rule.applies_to), "rationale": rule.rationale,
            "remediation": rule.remediation, "references": list(rule.references),
            "fix": rule.fix, "fix_summary": rule.fix_summary,
            "finding": dict(rule.parts),
            "examples": [dict({"name": ex.name, "kind": ex.kind, "files": ex.files},
                              **({"fixed": ex.fixed} if ex.fixed is not None else {})) for ex in rule.examples],
        }, indent=2))
        return
    out = [f"{rule.id} {rule.name} [{rule.severity.label}]", "", rule.title, "", "Why:", _indent(rule.rationale), "",
           "Fix:", _indent(rule.remediation)]
    if rule.fix != "none":
        out += ["", f"Autofix ({rule.fix}; `rclint check --fix{'' if rule.fix == 'safe' else ' --unsafe-fixes'}`):",
                _indent(rule.fix_summary)]
    if rule.applies_to:
        out += ["", "Applies to: " + ", ".join(rule.applies_to)]
    if rule.parts:
        out += ["", "A finding says:"] + [f"  {key + ':':<9}{text}" for key, text in rule.parts]
    for kind, heading in (("bad", "Example that is flagged"), ("good", "Example that passes")):
        for ex in (e for e in rule.examples if e.kind == kind):
            out += ["", f"{heading}: {ex.name}"]
            for name, text in ex.files.items():
                out += [f"  # {name}"] + [f"  {line}".rstrip() for line in _strip_markers(text).splitlines()]
            for name, text in (ex.fixed or {}).items():
                how = "--fix" if rule.fix == "safe" else "--fix --unsafe-fixes"
                out += [f"  # {name}, after `rclint check {how}`"] + [f"  {line}".rstrip() for line in text.splitlines()]
    if rule.references:
        out += ["", "References:"] + [f"  - {r}" for r in rule.references]
    click.echo("\n".join(out))


def _strip_markers(text: str) -> str:
    """An example without its `# expect: RCLnnn@COL` test markers."""
    import re

    return re.sub(r"[ \t]*#\s*expect:[^\n]*", "", text)


def _indent(text: str) -> str:
    return "\n".join(("  " + line) if line else "" for line in text.splitlines())
