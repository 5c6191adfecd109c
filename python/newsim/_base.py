"""Estimator plumbing: scikit-learn's get_params/set_params/repr conventions without sklearn."""

from __future__ import annotations

import inspect
from typing import Any, Dict


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
