"""Estimator plumbing: scikit-learn's get_params/set_params/repr conventions without sklearn."""

from __future__ import annotations

import codecs
import inspect
import json
import numbers
from typing import Any, Callable, Dict, Optional, Tuple

import scipy.sparse as sp


class Estimator:
    """Base class: parameters are the keyword arguments of ``__init__``, stored as given."""

    @classmethod
    def _param_names(cls) -> list:
        sig = inspect.signature(cls.__init__)
        return sorted(
            p.name
            for p in sig.parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        )

    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        """Parameters of this estimator, as passed to ``__init__``.

        >>> TfidfVectorizer(min_df=2).get_params()["min_df"]
        2
        """
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> "Estimator":
        """Sets parameters; unknown names raise ValueError.

        >>> TfidfVectorizer().set_params(min_df=3).min_df
        3
        """
        valid = set(self._param_names())
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {sorted(valid)!r}."
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        sig = inspect.signature(type(self).__init__)
        changed = []
        for name in self._param_names():
            default = sig.parameters[name].default
            value = getattr(self, name)
            try:
                same = value is default or bool(value == default)
            except Exception:  # e.g. numpy arrays compare elementwise
                same = False
            if not same:
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"


def _options_of(core: Any) -> Dict[str, Any]:
    """The options of a core model, as the core writes them."""
    from newsim import _core

    return json.loads(_core._read_model(core.to_json(), "<core>")[1] or "{}")


def read_model(text: str, origin: str) -> Tuple[str, Optional[Any]]:
    """A model document's format and its python section (None when absent), read by the core
    (``_core._read_model``); ModelFormatError naming ``origin``."""
    from newsim import _core

    fmt, _, python = _core._read_model(text, origin)
    try:
        return fmt, None if python is None else json.loads(python)
    except RecursionError:  # nesting deeper than Python's json reads; C++ took it
        raise _core.ModelFormatError(f"model {origin} is corrupt: nested too deeply") from None


def from_python_section(origin: str, python: Optional[Any], core: Any,
                        from_options: Callable[[Dict[str, Any], type], Dict[str, Any]],
                        classes: Optional[Dict[str, type]], default: type,
                        restore: Callable[[Dict[str, Any]], Dict[str, Any]] = dict) -> Any:
    """The estimator of a model file (not yet given its fitted state): built from the file's
    ``python`` section (the parameters as the user gave them; see ``read_model``) when it has
    one, else from the options of ``core``, the model C++ read and checked. ``core`` is what transforms, so a
    ``python`` section that would build another model (7 hashed columns where the core has 32;
    l1 where it has l2) is a ModelFormatError naming ``origin``, as is one that cannot be read
    (a list for params, an unknown class or parameter, a bad value).

    ``from_options(options, cls)`` gives the parameters of ``cls`` for the core's options;
    ``restore(params)`` turns the section's JSON values back into parameters; ``classes`` maps
    the section's class names to classes (None: any name, ``default`` is built).
    """
    from newsim import _core

    section = "options" if python is None else "python section"
    theirs = _options_of(core)
    try:
        if python is None:  # written by C++
            python = {"class": default.__name__}
        if not isinstance(python, dict):
            raise TypeError(f"an object expected, not {type(python).__name__}")
        name = python.get("class", default.__name__)
        if classes is not None and name not in classes:
            raise TypeError(f"class {name!r} is not one of {sorted(classes)}")
        cls = default if classes is None else classes[name]
        params = python.get("params")
        if params is None:
            est = cls(**from_options(theirs, cls))
        else:
            if not isinstance(params, dict):
                raise TypeError(f"params: an object expected, not {type(params).__name__}")
            est = cls(**restore(params))
        encoding = getattr(est, "encoding", "utf-8")
        if not isinstance(encoding, str):
            raise TypeError(f"encoding {encoding!r} is not a str")
        codecs.lookup(encoding)
        mine = _options_of(est._make_core())
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, LookupError,
            OverflowError, RecursionError) as e:
        raise _core.ModelFormatError(
            f"model {origin} is corrupt: its {section} cannot be read as "
            f"{default.__name__} parameters "
            f"({type(e).__name__}: {e})") from None
    differ = sorted(k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k))
    if differ:
        shown = "; ".join(f"{k}: {mine.get(k)!r} in python, {theirs.get(k)!r} in options"
                          for k in differ[:5])
        raise _core.ModelFormatError(
            f"model {origin} is corrupt: its python section disagrees with its options "
            f"({shown})")
    return est


def _n_jobs(n_jobs: Optional[int]) -> int:
    if n_jobs is None:
        return 0
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise ValueError(f"n_jobs must be None, a positive int or a negative int; got {n_jobs!r}")
    return int(n_jobs)


def _iterable(raw_documents: Any, what: str = "documents") -> None:
    """scikit-learn's error for one string given where documents are expected."""
    if isinstance(raw_documents, (str, bytes)):
        raise ValueError(f"Iterable over raw text {what} expected, string object received.")


def _to_csr(parts: Tuple[Any, Any, Any, Tuple[int, int]]) -> sp.csr_matrix:
    data, indices, indptr, shape = parts
    return sp.csr_matrix((data, indices, indptr), shape=shape, copy=False)
