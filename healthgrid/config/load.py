"""Read `healthgrid.yml`: a bounded UTF-8 file, YAML with duplicate keys refused and alias expansion
bounded, and a hint for the usual YAML mistakes. `parse_config` then checks what it says."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from healthgrid.config.errors import ConfigError
from healthgrid.config.model import DEFAULT_CONFIG, DEFAULT_CONFIG_FILE, MAX_CONFIG_BYTES, MAX_NUMBER_TEXT, MAX_YAML_NODES, Config
from healthgrid.config.validate import parse_config
from healthgrid.errors import UsageError
from healthgrid.text import shown


def load_config(path: str | None) -> Config:
    """`path` given: that file. Otherwise ./healthgrid.yml when present, else the built-in default."""
    if path is None:
        if not Path(DEFAULT_CONFIG_FILE).is_file():
            return parse_config(DEFAULT_CONFIG, source=None)
        path = DEFAULT_CONFIG_FILE
    return parse_config(load_yaml(read_text(path, "--config"), path), source=path)


def read_text(path: str, flag: str, limit: int = MAX_CONFIG_BYTES) -> str:
    """A UTF-8 file (a BOM is allowed) of at most `limit` bytes, read without ever holding more
    than one byte past it (`--config /dev/zero` stops there)."""
    try:
        # Opened without blocking: opening a FIFO nobody writes to would wait forever; read as
        # usual afterwards (such a FIFO then reads as empty, a pipe on stdin as what it carries).
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        os.set_blocking(fd, True)
        with open(fd, "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise ConfigError(flag, f"{path}: no such file") from None
    except OSError as exc:
        raise ConfigError(flag, f"{path}: cannot read: {exc.strerror or type(exc).__name__}") from None
    if len(data) > limit:
        raise ConfigError(flag, f"{path}: larger than the {limit >> 20} MiB limit")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(flag, f"{path}: not UTF-8 text (byte {exc.start})") from None


def load_yaml(text: str, name: str) -> Any:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc,valid-type]
        pass

    def at(mark) -> str:
        return f"{name}:{mark.line + 1}:{mark.column + 1}"

    def construct_mapping(loader, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):  # `? [a, b]`: a list or mapping as a key
                raise UsageError(f"{at(key_node.start_mark)}: a key must be a plain word, not a {key_node.id}")
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                raise UsageError(f"{at(key_node.start_mark)}: duplicate key {shown(key)}")
            seen.add(key)
        return loader.construct_mapping(node, deep=deep)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)

    def scalar(kind: str):
        """YAML 1.1 reads `1:00:00` as base 60, so a long number costs quadratic time; and int()
        or a date can fail: a number or date is at most MAX_NUMBER_TEXT characters and a usage error."""
        construct = getattr(yaml.constructor.SafeConstructor, f"construct_yaml_{kind}")
        what = {"int": "a whole number", "float": "a number", "timestamp": "a date"}[kind]

        def checked(loader, node):
            if len(node.value) > MAX_NUMBER_TEXT:
                raise UsageError(f"{at(node.start_mark)}: {what} is at most {MAX_NUMBER_TEXT} characters; this one has {len(node.value):,}")
            try:
                return construct(loader, node)
            except (ValueError, OverflowError) as exc:
                raise UsageError(f"{at(node.start_mark)}: {shown(node.value)} is not {what} ({shown(str(exc), 80, quote=False)})") from None
        return checked

    for kind in ("int", "float", "timestamp"):
        Loader.add_constructor(f"tag:yaml.org,2002:{kind}", scalar(kind))
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        # Aliases share nodes, so composing is cheap; what explodes is everything that walks the
        # expanded tree afterwards (validation, repr). Count the expanded size before constructing.
        _check_expansion(node, name, at)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise UsageError(f"{at(mark) if mark else name}: invalid YAML: {shown(exc.problem, 200, quote=False)}{yaml_hint(text, exc)}") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"{name}: invalid YAML: {shown(str(exc), 200, quote=False)}") from None
    except RecursionError:
        raise UsageError(f"{name}: invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()


def _check_expansion(root, name: str, at) -> None:
    """Refuse a document whose tree, with every alias expanded, has more than MAX_YAML_NODES nodes
    (or that contains itself). Linear in the distinct nodes, however many aliases point at them."""
    import yaml

    size: dict[int, int] = {}
    open_: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_.discard(key)
            children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
            size[key] = 1 + sum(size[id(c)] for c in children)
            if size[key] > MAX_YAML_NODES:
                raise UsageError(f"{at(node.start_mark)}: expands to more than {MAX_YAML_NODES:,} YAML nodes (aliases *name included)")
            continue
        if key in size:
            continue
        if key in open_:
            raise UsageError(f"{at(node.start_mark)}: an alias refers to a node that contains it")
        if isinstance(node, yaml.ScalarNode):
            size[key] = 1
            continue
        open_.add(key)
        stack.append((node, True))
        children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
        stack.extend((c, False) for c in children)


def yaml_hint(text: str, exc) -> str:
    """A likely cause of a YAML syntax error, for the usual mistakes in a healthgrid.yml."""
    lines = text.splitlines()

    def line(mark) -> str:
        return lines[mark.line] if mark is not None and mark.line < len(lines) else ""

    here, context = line(exc.problem_mark), line(getattr(exc, "context_mark", None))
    problem, during = exc.problem or "", exc.context or ""
    indent = here[: len(here) - len(here.lstrip())]
    if "\\t" in problem or "\t" in indent:
        hint = "a tab: YAML indents with spaces only"
    elif "block scalar" in during:
        hint = "a value starting with '>' or '|' begins a block of text; quote conditions, e.g. pass: \">= 40000\""
    elif any(re.search(r"[{}\[\],#]|:\s", q) for q in re.findall(r"\bquery\s*:\s*([^\s'\"].*)", here + "\n" + context)):
        hint = "quote the query, e.g. query: 'avg:metric{env:prod}' ('{', '}' and ': ' are YAML syntax)"
    elif "alias" in problem or "anchor" in problem:
        hint = "a value starting with '*' or '&' is YAML syntax; quote it"
    elif "flow" in during or "mapping values are not allowed" in problem:
        hint = "quote values that contain '{', '}', '[', ']', ',' or ': '"
    elif "block end" in problem or "expected key" in problem or "block" in during:
        hint = "check the indentation: keys of one mapping start in the same column, list items with '- '"
    else:
        return ""
    return f" (hint: {hint})"
