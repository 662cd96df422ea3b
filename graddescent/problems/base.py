r"""What a loss and a penalty are: their specifications (:class:`LossSpec`, :class:`PenaltySpec`).

A loss module (``graddescent/problems/losses/huber.py``, ...) holds everything about one loss
and nothing else: its value and derivative in the residual ``r = b + x . w - y`` (compiled,
reading the problem's compiled record: ``pb.eps`` is ``epsilon``), a bound on its second
derivative (the curvature that the smoothness constants multiply; None for a loss without a
Lipschitz derivative), its NumPy transcription for the reference tests, its maths and
references. A penalty module holds the penalty's strengths ``(l1, l2)`` as functions of
``alpha`` and ``l1_ratio``, whether it has a smooth (L2) part that enters every gradient, and
the proximal operator of its L1 part (compiled, one coordinate at a time) and, where it has one,
the closed form of many proximal steps at once.

Each is then one row of ``graddescent.problems.registry``; nothing else names it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

__all__ = ["LossSpec", "PenaltySpec"]


@dataclasses.dataclass(frozen=True)
class LossSpec:
    """Everything the package knows about one loss ``l(r)`` of the residual ``r = p - y``.

    Attributes
    ----------
    name : str
        scikit-learn's name (``"huber"``), the key of :data:`graddescent.problems.LOSSES`.
    value : kernel
        ``value(pb, r)``: the loss (compiled; ``pb.eps`` is ``epsilon``).
    derivative : kernel
        ``derivative(pb, r)``: ``dl/dr`` (compiled). A NaN residual gives NaN, so that the drivers'
        divergence test sees it.
    curvature : float or None
        ``sup l''``: the factor of the smoothness constants (``L = curvature * lambda_max + l2``);
        None when the derivative is not Lipschitz (the loss is not smooth).
    reference_value, reference_derivative : callable
        NumPy transcriptions ``f(r, epsilon)`` on whole arrays, for the reference tests.
    reference_curvature : callable
        ``l''(r)`` where it exists (0 at the kinks), ``f(r, epsilon)`` on whole arrays: the
        reference optimum's Newton polish (:meth:`graddescent.problems.Problem.optimum`) uses
        it on the loss's quadratic pieces.
    uses_epsilon : bool
        Whether ``epsilon`` changes the loss.
    fast : tuple of kernels or None
        ``(full_gradient(pb, X, y, z, g), objective(pb, X, y, z),
        objective_strided(pb, X, y, z, stride))``
        of the unweighted loss with the intercept fitted, when a module has hand-tuned ones
        (least squares: :mod:`graddescent.objective`); the problem's records use them in place
        of the generic loops.
    fast_blocked : tuple of kernels or None
        ``(full_gradient(pb, X, y, z, g), objective(pb, X, y, z))`` as ``fast`` in fixed row
        blocks on numba's threads, for large data (:mod:`graddescent._jit.blocks`).
    """

    name: str
    value: Callable
    derivative: Callable
    curvature: float | None
    reference_value: Callable[[np.ndarray, float], np.ndarray]
    reference_derivative: Callable[[np.ndarray, float], np.ndarray]
    reference_curvature: Callable[[np.ndarray, float], np.ndarray]
    uses_epsilon: bool = False
    fast: tuple | None = None
    fast_blocked: tuple | None = None

    @property
    def is_smooth(self) -> bool:
        """True when the derivative is Lipschitz (``curvature`` is finite)."""
        return self.curvature is not None


@dataclasses.dataclass(frozen=True)
class PenaltySpec:
    r"""Everything the package knows about one penalty of the coefficients ``w`` (never the
    intercept), written ``l1 ||w||_1 + l2 / 2 ||w||_2^2``.

    Attributes
    ----------
    name : str or None
        scikit-learn's name (None for no penalty), the key of
        :data:`graddescent.problems.PENALTIES`.
    label : str
        A name usable in identifiers (``"none"``, ``"l2"``, ...).
    strengths : callable
        ``strengths(alpha, l1_ratio) -> (l1, l2)``.
    smooth : bool
        Whether it has an L2 part (``l2 w`` enters every gradient).
    prox : kernel or None
        ``prox(pb, v, tau)``: the proximal operator of ``tau ||.||_1`` at one coordinate ``v``
        (``tau`` the step times ``pb.l1``, compiled), None without an L1 part.
    reference_prox : callable or None
        Its NumPy transcription ``reference_prox(v, tau)`` on whole arrays.
    prox_steps : kernel or None
        ``prox_steps(pb, w, k, g, c, tau)``: ``k`` steps of ``w <- prox((1 - g) w - c, tau)``
        at one coordinate at once (compiled): what the plain rule's proximal steps do to a
        coefficient that no sparse row touches while its drift ``c`` (the step times a constant
        gradient), decay ``g`` (the step times ``l2``) and threshold ``tau`` stay fixed, which
        the just-in-time updates apply when a row next touches it. None: the steps are taken
        one by one (O(k)).
    """

    name: str | None
    label: str
    strengths: Callable[[float, float], tuple[float, float]]
    smooth: bool
    prox: Callable | None = None
    reference_prox: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    prox_steps: Callable | None = None

    @property
    def has_l1(self) -> bool:
        return self.prox is not None

    @property
    def uses_l1_ratio(self) -> bool:
        """Whether the strengths depend on ``l1_ratio`` (the elastic net's mixing)."""
        return self.strengths(1.0, 0.25) != self.strengths(1.0, 0.75)
