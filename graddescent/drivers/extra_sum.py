"""An optional second table sum in the SAG and SAGA kernels, picked at compile time.

The in-memory kernels keep one sum of the gradient table; where the chunks are
(:mod:`~graddescent.drivers.distributed_vr`) each chunk also keeps the sum of its own rows'
entries (``local``) and counts the rows seen on the other chunks (``others``). The kernels take
a record: :class:`NoExtra` compiles :func:`add_extra` to nothing and adds 0 rows (the in-memory
code, bit for bit), :class:`ExtraSum` to the extra sum's update.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._jit import choose, kernel
from ..problems.engine import add_row

__all__: list[str] = []


class NoExtra(NamedTuple):
    """No extra sum (``local`` empty, ``others`` 0): the in-memory kernels."""

    local: np.ndarray
    others: int


class ExtraSum(NamedTuple):
    """A chunk's own sum ``local`` and the rows seen on the other chunks, ``others``."""

    local: np.ndarray
    others: int


@kernel(inline=True)
def _skip(extra, pb, X, i, coef):
    return None


@kernel(inline=True)
def _add(extra, pb, X, i, coef):
    add_row(pb, X, i, coef, extra.local)


#: ``extra.local += coef (1, X[i])`` for an :class:`ExtraSum`; nothing for :class:`NoExtra`.
add_extra = choose(lambda c: _add if c is ExtraSum else _skip, _skip, inline=True)
