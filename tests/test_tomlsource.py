"""Positions from rclint.tomlsource: keys, headers, arrays of tables, strings, CRLF, BOM, errors."""

import os
from pathlib import Path

import pytest

from rclint.model import Span
from rclint.tomlsource import TomlSyntaxError, load_toml

SHARED = Path(os.environ.get("RCLINT_SHARED", Path(__file__).resolve().parents[2] / "shared"))
REAL = SHARED / "corpus" / "real"


def need_shared():
    if not SHARED.is_dir():
        pytest.skip(f"shared corpus not found at {SHARED} (tests that read real configs need the reference corpus next to the repository)")


def at(span):
    return (span.line, span.column) if span else None


# --------------------------------------------------------------------------- synthetic documents


def test_dotted_quoted_and_spaced_keys():
    doc = load_toml(
        'version = 2\n'
        '[plugins."io.containerd.grpc.v1.cri".containerd]\n'
        '  default_runtime_name = "kata"\n'
        '  runtimes . kata . runtime_type = "io.containerd.kata.v2"\n'
        "  'literal.key' = 1\n"
    )
    base = ("plugins", "io.containerd.grpc.v1.cri", "containerd")
    assert doc.value["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]["kata"]
    assert at(doc.table_span(base)) == (2, 1)
    assert doc.table_span(base) == Span(2, 1, 2, 49)
    assert at(doc.key_span(base + ("default_runtime_name",))) == (3, 3)
    assert doc.key_span(base + ("default_runtime_name",)) == Span(3, 3, 3, 23)
    assert at(doc.key_span(base + ("runtimes",))) == (4, 3)
    assert at(doc.key_span(base + ("runtimes", "kata"))) == (4, 14)
    assert at(doc.key_span(base + ("runtimes", "kata", "runtime_type"))) == (4, 21)
    # a dotted key creates its tables implicitly: table_span is that key part
    assert at(doc.table_span(base + ("runtimes", "kata"))) == (4, 14)
    assert at(doc.key_span(base + ("literal.key",))) == (5, 3)
    # parents created by the header: the key part inside the header
    assert at(doc.table_span(("plugins",))) == (2, 2)
    assert at(doc.table_span(("plugins", "io.containerd.grpc.v1.cri"))) == (2, 10)
    assert at(doc.key_span(("version",))) == (1, 1)
    assert at(doc.value_span(("version",))) == (1, 11)


def test_explicit_header_declared_after_its_children_wins():
    doc = load_toml('[a.b.c]\nx = 1\n[a.b]\ny = 2\n[a]\nz = 3\n')
    assert at(doc.table_span(("a", "b", "c"))) == (1, 1)
    assert at(doc.table_span(("a", "b"))) == (3, 1)
    assert at(doc.table_span(("a",))) == (5, 1)
    assert doc.key_span(("a",)) is None  # only headers name it


def test_comments_and_multiline_strings_are_not_indexed():
    text = (
        '# [fake]\n'
        '# fake = 1\n'
        'a = """\n'
        'inner = 1\n'
        '[not_a_table]\n'
        'escaped \\""" still inside\n'
        '"""\n'
        "b = '''\n"
        "lit = 2\n"
        "[nope]'''\n"
        'c = 3 # d = 4\n'
        'e = """x""""\n'
        "f = ''''y'''''\n"
        'g = 5\n'
    )
    doc = load_toml(text)
    assert doc.value["a"].startswith("inner = 1")
    assert doc.value["e"] == 'x"'
    assert doc.value["f"] == "'y''"
    for ghost in [("fake",), ("inner",), ("not_a_table",), ("lit",), ("nope",), ("d",)]:
        assert doc.key_span(ghost) is None and doc.table_span(ghost) is None
    assert at(doc.key_span(("c",))) == (11, 1)
    assert at(doc.key_span(("e",))) == (12, 1)
    assert at(doc.key_span(("f",))) == (13, 1)
    assert at(doc.key_span(("g",))) == (14, 1)


def test_inline_tables_and_arrays():
    doc = load_toml(
        'x = { a = 1, b = { c = 2 }, "q.r" = 3 }\n'
        'arr = [\n'
        '  { name = "one" },  # comment with ] and }\n'
        '  { name = "two", nested = [ { deep = true } ] },\n'
        ']\n'
        'after = 1\n'
    )
    assert at(doc.key_span(("x", "a"))) == (1, 7)
    assert at(doc.key_span(("x", "b", "c"))) == (1, 20)
    assert at(doc.key_span(("x", "q.r"))) == (1, 29)
    assert at(doc.key_span(("arr", 0, "name"))) == (3, 5)
    assert at(doc.key_span(("arr", 1, "name"))) == (4, 5)
    assert at(doc.key_span(("arr", 1, "nested", 0, "deep"))) == (4, 32)
    assert at(doc.value_span(("arr", 1))) == (4, 3)
    assert at(doc.key_span(("after",))) == (6, 1)


def test_arrays_of_tables_use_int_indexes():
    doc = load_toml(
        '[[plugins."io.containerd.transfer.v1.local".unpack_config]]\n'
        '  platform = "linux/amd64"\n'
        '[[plugins."io.containerd.transfer.v1.local".unpack_config]]\n'
        '  platform = "linux/arm64"\n'
        '  [plugins."io.containerd.transfer.v1.local".unpack_config.extra]\n'
        '    k = 1\n'
        '[[fruit]]\nname = "apple"\n[[fruit.variety]]\nname = "red"\n'
        '[[fruit]]\nname = "banana"\n[[fruit.variety]]\nname = "plantain"\n'
    )
    base = ("plugins", "io.containerd.transfer.v1.local", "unpack_config")
    assert doc.value["plugins"]["io.containerd.transfer.v1.local"]["unpack_config"][1]["extra"] == {"k": 1}
    assert at(doc.table_span(base)) == (1, 1)
    assert at(doc.table_span(base + (0,))) == (1, 1)
    assert at(doc.table_span(base + (1,))) == (3, 1)
    assert at(doc.key_span(base + (0, "platform"))) == (2, 3)
    assert at(doc.key_span(base + (1, "platform"))) == (4, 3)
    assert at(doc.table_span(base + (1, "extra"))) == (5, 3)
    assert at(doc.key_span(base + (1, "extra", "k"))) == (6, 5)
    assert at(doc.key_span(("fruit", 0, "variety", 0, "name"))) == (10, 1)
    assert at(doc.key_span(("fruit", 1, "name"))) == (12, 1)
    assert at(doc.key_span(("fruit", 1, "variety", 0, "name"))) == (14, 1)


def test_crlf_and_bom():
    text = '\ufeffversion = 2\r\n\r\n[plugins."cri"]\r\n  k = "v"  \r\n'
    doc = load_toml(text)
    assert doc.value == {"version": 2, "plugins": {"cri": {"k": "v"}}}
    assert at(doc.key_span(("version",))) == (1, 1)  # the BOM is not a column
    assert at(doc.table_span(("plugins", "cri"))) == (3, 1)
    assert doc.key_span(("plugins", "cri", "k")) == Span(4, 3, 4, 4)
    assert doc.value_span(("plugins", "cri", "k")) == Span(4, 7, 4, 10)
    assert doc.line_text(4) == '  k = "v"  '


def test_columns_count_code_points():
    doc = load_toml('t = { "é" = 1, "😀" = 2, k = 3 }\n"ключ" = 1\n')
    assert at(doc.key_span(("t", "é"))) == (1, 7)
    assert at(doc.key_span(("t", "😀"))) == (1, 16)
    assert at(doc.key_span(("t", "k"))) == (1, 25)
    assert doc.key_span(("ключ",)) == Span(2, 1, 2, 7)


def test_escaped_quoted_keys_decode_like_tomllib():
    doc = load_toml('"a\\"b" = 1\n"\\u00e9t\\u00e9" = 2\n')
    assert set(doc.value) == {'a"b', "été"}
    assert at(doc.key_span(('a"b',))) == (1, 1)
    assert at(doc.key_span(("été",))) == (2, 1)


def test_span_falls_back_to_ancestors_then_start():
    doc = load_toml('[a]\nb = { c = 1 }\n')
    assert at(doc.span(("a", "b", "c"))) == (2, 7)
    assert at(doc.span(("a", "b", "c", "missing"))) == (2, 7)
    assert at(doc.span(("a", "nothing"))) == (1, 1)
    assert doc.span(("zzz",)) == Span(1, 1)
    assert doc.span(["a", "b"]) == doc.key_span(("a", "b"))


@pytest.mark.parametrize(
    "text, line, column, fragment",
    [
        ("a = 1\nb = = 2\n", 2, 5, "Invalid value"),
        ("[a]\nx = 1\n[a]\n", 3, 3, "Cannot declare"),
        ('a = "unterminated', 1, 18, "Unterminated string"),
        ("x = [1,\n", 2, 1, "Invalid value"),
        ("\ufeffok = 1\nbad\n", 2, 4, ""),
    ],
)
def test_syntax_errors_carry_the_parser_position(text, line, column, fragment):
    with pytest.raises(TomlSyntaxError) as info:
        load_toml(text)
    err = info.value
    assert (err.span.line, err.span.column) == (line, column)
    assert fragment in err.message
    assert "(at line" not in err.message and "end of document" not in err.message


def test_empty_document():
    doc = load_toml("")
    assert doc.value == {}
    assert doc.span(("anything",)) == Span(1, 1)


# --------------------------------------------------------------------------- the real corpus


def _walk_keys(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield path + (k,)
            yield from _walk_keys(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, dict):
                yield path + (i,)
                yield from _walk_keys(v, path + (i,))


def _real_files():
    if not REAL.is_dir():
        return []
    files = sorted((REAL / "containerd").rglob("*.toml")) + sorted(p for p in (REAL / "crio").rglob("*") if p.is_file())
    return files


@pytest.mark.parametrize("path", _real_files() or [None], ids=lambda p: p.name if p else "missing")
def test_every_key_of_every_real_config_has_a_position_on_a_line_naming_it(path):
    need_shared()
    if path is None:
        pytest.skip("no real configs")
    doc = load_toml(path.read_text(encoding="utf-8"))
    assert doc.index_complete
    for key_path in _walk_keys(doc.value):
        span = doc.key_span(key_path) or doc.table_span(key_path)
        assert span is not None, key_path
        last = key_path[-1]
        if isinstance(last, int):
            assert doc.line_text(span.line).lstrip().startswith("[["), key_path
        else:
            assert last in doc.line_text(span.line), (key_path, span, doc.line_text(span.line))


@pytest.mark.parametrize("path", _real_files() or [None], ids=lambda p: p.name if p else "missing")
def test_runtime_tables_of_real_configs_point_at_their_name(path):
    need_shared()
    if path is None:
        pytest.skip("no real configs")
    doc = load_toml(path.read_text(encoding="utf-8"))
    found = 0
    for key_path in _walk_keys(doc.value):
        if len(key_path) >= 2 and key_path[-2] == "runtimes" and isinstance(doc.get(key_path), dict):
            span = doc.span(key_path)
            assert key_path[-1] in doc.line_text(span.line)
            found += 1
    if path.name in ("aero-faas-kata-fc-v2.toml", "tuttlebr-nvidia-default-v2.toml", "crio-packaging-10-crio.conf"):
        assert found >= 2


def test_known_positions_in_real_configs():
    need_shared()
    aero = load_toml((REAL / "containerd" / "aero-faas-kata-fc-v2.toml").read_text(encoding="utf-8"))
    kata = ("plugins", "io.containerd.grpc.v1.cri", "containerd", "runtimes", "kata-fc")
    assert at(aero.table_span(kata)) == (113, 9)
    assert aero.key_span(kata + ("privileged_without_host_device",)) == Span(116, 11, 116, 41)
    kind = load_toml((REAL / "containerd" / "kind-base-v2.toml").read_text(encoding="utf-8"))
    assert at(kind.table_span(("plugins", "io.containerd.grpc.v1.cri"))) == (35, 1)
    assert at(kind.table_span(("plugins", "io.containerd.grpc.v1.cri", "containerd", "runtimes", "test-handler"))) == (28, 1)
    kata_remote = load_toml((REAL / "crio" / "extracted" / "osc-50-kata-remote.conf").read_text(encoding="utf-8"))
    assert at(kata_remote.key_span(("crio", "runtime", "runtimes", "kata-remote", "runtime_type"))) == (3, 3)
    assert at(kata_remote.value_span(("crio", "runtime", "runtimes", "kata-remote", "allowed_annotations", 0))) == (9, 2)


def test_nesting_too_deep_points_at_the_value_that_nests():
    from rclint.tomlsource import TomlSyntaxError, load_toml

    text = 'a = "[[[["  # [[[[\nb = [1]\ndeep = ' + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(TomlSyntaxError) as info:
        load_toml(text)
    assert (info.value.message, info.value.span.line, info.value.span.column) == ("TOML nesting too deep", 3, 8)
