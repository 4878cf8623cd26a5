"""Griffe extension: render gdcore's reST-flavoured docstrings as Markdown on the API page.

gdcore's docstrings are Google style with a few reStructuredText habits that read well in
``help()`` but not on the site. At load time (mkdocstrings, nothing else) this rewrites:

* ``.. math::`` blocks into ``$$ ... $$`` and ``:math:`x``` into ``$x$`` (KaTeX renders them);
* ``:class:`~gdcore.loop.Trajectory``` (also ``:func:``, ``:meth:``, ``:data:``, ``:attr:``)
  into a cross-reference ``[`Trajectory`][gdcore.loop.Trajectory]``;
* a reST literal block (a paragraph ending in ``::``, then an indented block) into a fenced
  code block, ``pycon`` when it is a ``>>>`` session, else ``python``, and the ``::`` into
  ``:``;
* an ``Example:`` section title into ``Examples:`` so that the ``>>>`` lines become code;
* ``a, b: text`` lines inside ``Args:`` into one line per parameter;
* a ``>>>`` example that uses a name it does not define (one from its module's namespace, or
  imported by an earlier example of the same docstring, as doctest allows) starts with the
  import it needs, so that the example, copied alone, runs in a fresh Python (its copy
  button copies it as code: ``overrides/sitebuild/examples.py``).

Enabled in ``mkdocs.yml`` under the python handler's ``options.extensions``.
"""

from __future__ import annotations

import ast
import builtins
import doctest
import importlib
import re
import types
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|func|meth|data|attr|mod|obj|exc):`~?([^`]+)`")
_MATH_ROLE = re.compile(r":math:`([^`]+)`")
_EXAMPLE = re.compile(r"^(\s*)Example:\s*$", re.M)
_MODULES = {
    "clip", "dart", "data", "derivatives", "explore", "landscape", "loop", "optim", "plot",
    "schedules", "search", "second_order", "train",
}


def _math_blocks(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)\.\. math::\s*(.*)$", lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        indent, first = m.group(1), m.group(2).strip()
        body = [first] if first else []
        i += 1
        while i < len(lines) and (
            not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > len(indent)
        ):
            if lines[i].strip():
                body.append(lines[i].strip())
            i += 1
        out += [f"{indent}$$", *[f"{indent}{b}" for b in body], f"{indent}$$", ""]
    return "\n".join(out)


def _literal_blocks(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^(\s*)(.*?)::\s*$", line)
        j = i + 1
        while m and j < len(lines) and not lines[j].strip():
            j += 1
        indent = m.group(1) if m else ""
        body_indent = len(lines[j]) - len(lines[j].lstrip()) if m and j < len(lines) else 0
        if not m or m.group(2).lstrip().startswith("..") or j == i + 1 or j >= len(lines) \
                or body_indent <= len(indent):
            out.append(line)
            i += 1
            continue
        k = j
        while k < len(lines) and (
            not lines[k].strip() or len(lines[k]) - len(lines[k].lstrip()) >= body_indent
        ):
            k += 1
        while k > j and not lines[k - 1].strip():
            k -= 1
        body = [b[body_indent:] for b in lines[j:k]]
        lang = "pycon" if body[0].startswith(">>>") else "python"
        if m.group(2).strip():
            out.append(f"{indent}{m.group(2)}:")
        out += ["", f"{indent}```{lang}", *[f"{indent}{b}" if b else "" for b in body],
                f"{indent}```"]
        i = k
    return "\n".join(out)


def _ref(m: re.Match) -> str:
    target = m.group(1).strip()
    short = target.rsplit(".", 1)[-1]
    parts = target.split(".")
    # Only link names that live in a gdcore submodule (gdcore.<module>.<name>).
    if parts[0] == "gdcore" and len(parts) >= 3 and parts[1] in _MODULES:
        return f"[`{short}`][{target}]"
    return f"`{short}`"


def _split_args(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    in_args, indent = False, ""
    for line in lines:
        stripped = line.strip()
        if re.match(r"^(Args|Arguments|Parameters):\s*$", stripped):
            in_args, indent = True, line[: len(line) - len(line.lstrip())]
            out.append(line)
            continue
        if in_args and stripped and len(line) - len(line.lstrip()) <= len(indent):
            in_args = False
        m = re.match(r"^(\s+)([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)+)\s*:(.*)$", line)
        if in_args and m:
            for name in m.group(2).split(","):
                out.append(f"{m.group(1)}{name.strip()}:{m.group(3)}")
            continue
        out.append(line)
    return "\n".join(out)


_PARSER = doctest.DocTestParser()
_PROMPT = re.compile(r"^(\s*)>>> ")


def _names(source: str) -> tuple[list[str], set[str], dict[str, str]]:
    """The names one example's source reads before binding them, the names it binds, and
    its imports as {bound name: the import statement}."""
    tree = ast.parse(source)
    loads: list[str] = []
    stores: set[str] = set()
    imports: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loads.append if isinstance(node.ctx, ast.Load) else stores.add)(node.id)
        elif isinstance(node, ast.arg):
            stores.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stores.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            stores.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                stores.add(bound)
                one = ast.Import(names=[alias]) if isinstance(node, ast.Import) else \
                    ast.ImportFrom(module=node.module, names=[alias], level=node.level)
                imports[bound] = ast.unparse(one)
    return [n for n in dict.fromkeys(loads) if n not in stores], stores, imports


def _import_for(name: str, module: types.ModuleType | None) -> str | None:
    """The import that binds ``name`` as ``module``'s namespace has it (None: not there)."""
    if module is None or not hasattr(module, name):
        return None
    value = getattr(module, name)
    if isinstance(value, types.ModuleType):
        real = value.__name__
        return f"import {real}" if real == name else f"import {real} as {name}"
    return f"from {module.__name__} import {name}"


def self_contained_examples(text: str, module: types.ModuleType | None) -> str:
    """``text`` with each ``>>>`` block preceded (as ``>>>`` lines) by the imports it needs.

    A block is a run of non-blank lines starting with a ``>>>`` line, at its indentation. A
    name it reads is resolved, in order: bound earlier in the block, a builtin, imported by
    an earlier block of this docstring (that import again), a name of ``module`` (imported
    from it). Names bound otherwise by an earlier block are left: that example is meant to
    be read after the earlier one.
    """
    lines = text.split("\n")
    out: list[str] = []
    earlier_imports: dict[str, str] = {}
    i = 0
    while i < len(lines):
        m = _PROMPT.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        indent = m.group(1)
        j = i
        while j < len(lines) and lines[j].strip() and lines[j].startswith(indent):
            j += 1
        block = lines[i:j]
        session = "\n".join(line[len(indent):] for line in block)
        bound: set[str] = set(dir(builtins))
        needed: list[str] = []
        try:
            examples = _PARSER.get_examples(session)
            for example in examples:
                free, stores, imports = _names(example.source)
                for name in free:
                    if name in bound:
                        continue
                    stmt = earlier_imports.get(name) or _import_for(name, module)
                    if stmt and stmt not in needed:
                        needed.append(stmt)
                    bound.add(name)
                bound |= stores
                earlier_imports.update(imports)
        except (SyntaxError, ValueError):
            needed = []  # not Python a parser can read: shown as written
        out += [f"{indent}>>> {stmt}" for stmt in needed]
        out += block
        i = j
    return "\n".join(out)


def convert(text: str, module: types.ModuleType | None = None) -> str:
    """The Markdown version of one docstring of ``module`` (idempotent)."""
    text = self_contained_examples(text, module)
    text = _math_blocks(text)
    text = _literal_blocks(text)
    text = _MATH_ROLE.sub(lambda m: f"${m.group(1)}$", text)
    text = _ROLE.sub(_ref, text)
    text = _EXAMPLE.sub(lambda m: f"{m.group(1)}Examples:", text)
    return _split_args(text)


def _module_of(obj: Any) -> types.ModuleType | None:
    try:
        return importlib.import_module(obj.module.path)
    except Exception:  # noqa: BLE001 - griffe can document what Python cannot import
        return None


class RstToMarkdown(griffe.Extension):
    """Rewrite every docstring of the loaded package with :func:`convert`."""

    def on_object(self, *, obj: Any, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = convert(obj.docstring.value, _module_of(obj))
