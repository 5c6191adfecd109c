"""python/newsim/_core.pyi, written by hand, against the built module: the same names, and
the same parameter names for every function and method pybind11 describes."""

import ast
import re
from pathlib import Path

import pytest

from newsim import _core

STUB = Path(__file__).resolve().parents[2] / "python" / "newsim" / "_core.pyi"


def _params(node: ast.FunctionDef) -> list:
    args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
    return [a.arg for a in args if a.arg != "self"]


def _stub():
    out = {}
    for node in ast.parse(STUB.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef):
            out[node.name] = _params(node)
        elif isinstance(node, ast.ClassDef):
            members = {}
            for m in node.body:
                if isinstance(m, ast.FunctionDef):
                    members[m.name] = _params(m)
                elif isinstance(m, ast.AnnAssign) and isinstance(m.target, ast.Name):
                    members[m.target.id] = None
            out[node.name] = members
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = None
    return out


def _signature_params(obj, name):
    """Parameter names from pybind11's docstring signature; None when overloaded or absent."""
    doc = (getattr(obj, "__doc__", None) or "").lstrip()
    m = re.match(re.escape(name) + r"\((.*?)\) ->", doc)
    if m is None:
        return None
    names = [p.split(":")[0].strip() for p in re.split(r",\s*(?![^\[]*\])", m.group(1)) if p]
    names = [n for n in names if n not in ("self", "*", "/") and not n.startswith("*")]
    # Arguments bound without names are arg0, arg1, ...: only their number can be compared.
    return [n if not re.fullmatch(r"arg\d+", n) else None for n in names]


def _same(stub, built):
    return len(stub) == len(built) and all(b is None or a == b for a, b in zip(stub, built))


def _public(names):
    return {n for n in names if not (n.startswith("__") and n.endswith("__"))}


STUB_NAMES = _stub()


def test_the_stub_names_what_the_module_has():
    module = _public(dir(_core)) | {"__version__"}
    assert sorted(module - set(STUB_NAMES)) == [], "in the module, missing from _core.pyi"
    assert sorted(set(STUB_NAMES) - module) == [], "in _core.pyi, not in the module"


@pytest.mark.parametrize("name", sorted(n for n, v in STUB_NAMES.items() if isinstance(v, list)))
def test_function_parameters(name):
    got = _signature_params(getattr(_core, name), name)
    if got is not None:
        assert _same(STUB_NAMES[name], got)


@pytest.mark.parametrize("name", sorted(n for n, v in STUB_NAMES.items()
                                        if isinstance(v, dict)
                                        and not issubclass(getattr(_core, n), BaseException)))
def test_class_members_and_parameters(name):
    cls, stub = getattr(_core, name), STUB_NAMES[name]
    assert sorted(_public(dir(cls)) - set(stub)) == [], f"{name}: missing from _core.pyi"
    assert sorted(_public(stub) - _public(dir(cls))) == [], f"{name}: not in the module"
    for member, params in stub.items():
        if params is None or member.startswith("__"):
            continue
        got = _signature_params(getattr(cls, member), member)
        if got is not None:
            assert _same(params, got), f"{name}.{member}: {params} in _core.pyi, {got} built"
