r"""Averaged iterates (Polyak and Juditsky 1992; scikit-learn's ``average``): compiled records.

The mini-batch and full-batch kernels take an averaging record ``av`` and call
:func:`accumulate` after every step: :class:`NoAverage` compiles to nothing (the kernels' code
without averaging, bit for bit), :class:`Average` keeps the running mean of the iterates from
update ``start`` on,

.. math:: \bar\theta_k = \bar\theta_{k-1} + (\theta_t - \bar\theta_{k-1}) / k, \qquad
          k = t - \mathrm{start} + 1 \quad (t \ge \mathrm{start}),

as ``SGDRegressor(average=start)`` (``average=True`` is ``start = 1``: every iterate).

References
----------
B. T. Polyak and A. B. Juditsky, Acceleration of stochastic approximation by averaging,
*SIAM J. Control Optim.* 30 (1992). W. Xu, Towards optimal one pass large scale learning with
averaged stochastic gradient descent, arXiv:1107.2490 (2011).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._jit import choose, kernel

__all__ = ["NoAverage", "Average", "accumulate", "keep_mean", "NO_AVERAGE"]


class NoAverage(NamedTuple):
    """No averaging (``start`` unused)."""

    start: int


class Average(NamedTuple):
    """The running mean of the iterates after updates ``start, start + 1, ...`` in ``theta``."""

    start: int
    theta: np.ndarray


#: The kernels' averaging record when nothing is averaged.
NO_AVERAGE = NoAverage(0)


@kernel(inline=True)
def _nothing(av, theta, t):
    return None


@kernel(inline=True)
def _running_mean(av, theta, t):
    if t >= av.start:
        inv = 1.0 / (t - av.start + 1)
        for j in range(theta.shape[0]):
            av.theta[j] += (theta[j] - av.theta[j]) * inv


#: After step ``t``: fold ``theta`` into the average (nothing for :class:`NoAverage`).
accumulate = choose(lambda c: _running_mean if c is Average else _nothing, _nothing,
                    inline=True)


@kernel(inline=True)
def _copy_mean(av, means, e):
    for j in range(av.theta.shape[0]):
        means[e, j] = av.theta[j]


@kernel(inline=True)
def _no_mean(av, means, e):
    return None


#: After epoch ``e``: the running mean copied into ``means[e]`` (nothing for
#: :class:`NoAverage`), so that several epochs run in one call report it epoch by epoch.
keep_mean = choose(lambda c: _copy_mean if c is Average else _no_mean, _no_mean, inline=True)
