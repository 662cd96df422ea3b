"""Functions with a generated signature: one helper for the R-style and the R-replay learners."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["signed_function"]


def signed_function(name: str, signature: inspect.Signature,
                    call: Callable[[dict[str, Any]], Any], doc: str, *,
                    module: str) -> Callable[..., Any]:
    """A function called ``name`` with ``signature`` and ``doc`` that returns ``call(arguments)``.

    ``arguments`` maps every parameter to its value, defaults filled in; arguments that do not
    fit the signature raise a TypeError naming the function.

    Parameters
    ----------
    name : str
        The function's ``__name__`` and ``__qualname__``.
    signature : inspect.Signature
        What :func:`inspect.signature` reports and what the call is bound against.
    call : callable
        Receives the bound arguments as a dict and computes the result.
    doc : str
        The docstring.
    module : str, keyword-only
        The ``__module__`` reported: the module that defines the function under ``name``
        (pickling looks the function up there).

    Returns
    -------
    callable
    """

    def function(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{name}(): {exc}") from None
        bound.apply_defaults()
        return call(dict(bound.arguments))

    function.__name__ = function.__qualname__ = name
    function.__signature__ = signature
    function.__doc__ = doc
    function.__module__ = module
    return function
