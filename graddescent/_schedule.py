r"""When GDRegressor stops, and how its adaptive schedule lowers the rate.

Both stopping rules watch one number per epoch, ``1 - R^2`` of the training objective (or of the
validation set under ``early_stopping``), and count the epochs in which it did not fall below
``best - tol``.

:class:`Patience` (constant and ``invscaling`` schedules): stop after ``n_iter_no_change``
such epochs in a row.

:class:`StepDecay` (the ``adaptive`` schedule): the fit runs in *stages* at a constant rate; a
stage ends after ``n_iter_no_change`` epochs without improvement **and** once it is long enough
for the slowest direction of the problem to settle. Then, if the stage improved on the previous
stage's best by at least ``tol * n_iter_no_change`` or moved the coefficients by more than
``COEF_RTOL`` of their norm (scaled by how much the effective rate fell since the previous
stage's end, when that is less than 5: Adagrad's own decay), the effective rate is divided
by 5 (and, for the normalised rules, ``1 - decay`` of their squared-gradient average and their
momentum too: see :meth:`graddescent.rules.UpdateRule.reduced`); otherwise the fit has
converged. It has also converged after ``FLAT_STAGES + 1`` stages in a row without that
objective gain (noisy data whose coefficients are only weakly determined), or when the rate
would fall below ``floor``.

Why the length condition. With a sampled gradient, a constant rate :math:`\eta` leaves the
iterate hovering around the optimum at a distance that shrinks with :math:`\eta`; lowering the
rate shrinks it, but along an eigenvector of the Hessian :math:`H = [1, X]^T [1, X] / n` with
eigenvalue :math:`\lambda` the error only decays like :math:`(1 - \eta\lambda)^t`. The objective
barely sees the slowest directions (their share of it is :math:`\lambda \delta^2 / 2`), so a
stage that ends when the objective stalls ends long before the coefficients settle, and each
later stage, at a smaller rate, needs even longer. A stage therefore lasts at least
``RELAXATION`` time constants of its slowest direction,
:math:`t \ge 3 / \lambda_{\min}(D^{1/2} H D^{1/2})`, where :math:`D` is the update rule's
per-coordinate step per unit of gradient (:meth:`~graddescent.rules.UpdateRule.effective_steps`):
then the error left from the previous stage has shrunk by :math:`e^{-3} \approx 5\%` in every
direction. The Hessian is formed once (``p x p``, in chunks of rows) the first time a stage
could end, when ``p = n_features + 1 <= MAX_HESSIAN``; above that, or for Rprop, stages end on
the patience condition alone. Directions whose eigenvalue is below ``1e-10`` times the largest
are treated as absent (the gradient never moves the iterate along an exact null direction).

Without ``precise`` (the estimator's default ``tol``), a stage ends on the patience condition
alone, as in scikit-learn's ``learning_rate="adaptive"``, and the fit stops at the end of the
first stage after the first that did not improve on the previous stages' best by ``tol``: a
smaller rate no longer pays at that precision. The length condition and the finer tests above
are what reaching the optimum to float precision needs (``tol="precise"``).

This is step decay (e.g. Ge, Kakade, Kidambi, Netrapalli, "The step decay schedule: a near
optimal, geometrically decaying learning rate procedure for least squares", NeurIPS 2019) with
stage lengths set by the problem's conditioning, and a stopping rule in units of :math:`R^2`.
"""

from __future__ import annotations

import math

import numpy as np

from .drivers import Optimizer
from .objective import hessian

#: The adaptive schedule divides the rate by this at the end of a stage.
CUT = 5.0
#: A stage lasts at least this many time constants ``1 / (eta lambda_min)`` of its slowest
#: direction.
RELAXATION = 3.0
#: The Hessian is formed only up to this many parameters (intercept included).
MAX_HESSIAN = 500
#: Eigenvalues below this fraction of the largest are null directions.
NULL_EIGENVALUE = 1e-10
#: The fit has converged when a whole stage moved the coefficients by at most this (relative).
COEF_RTOL = 5e-4
#: ... or when this many stages in a row improved the objective by less than tol * patience
#: (the coefficients are then as good as the data determine them).
FLAT_STAGES = 2
class Patience:
    """Stop after ``patience`` epochs in a row without improving on the best by ``tol``."""

    def __init__(self, tol: float, patience: int) -> None:
        self.tol = tol
        self.patience = patience
        self.best = math.inf
        self.stalled = 0

    def observe(self, watched: float, opt: Optimizer, final: bool = True) -> bool:
        """Record an epoch's ``watched`` value; True when the fit has converged.

        ``final`` is False for the epochs inside a block run in one call (``opt`` is then at
        the block's end): the rule acts only on a block's last epoch, and
        :meth:`epochs_before_decision` makes blocks end where it could act.
        """
        if watched < self.best - self.tol:
            self.best, self.stalled = watched, 0
        else:
            self.stalled += 1
        return final and self.stalled >= self.patience and self.stage_ended(opt)

    def epochs_before_decision(self, opt: Optimizer, steps_per_epoch: float) -> int:
        """Epochs that can run before the rule might act (at the last of them)."""
        return max(self.patience - self.stalled, 1)

    def epochs_needed(self, opt: Optimizer, steps_per_epoch: float) -> float:
        """Epochs the current stage still needs at least (0 when it is not waiting)."""
        return 0.0

    def stage_ended(self, opt: Optimizer) -> bool:
        return True


class StepDecay(Patience):
    """The adaptive schedule: stages at a constant rate, divided by :data:`CUT` between stages.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        Training inputs (for the Hessian, formed on first need).
    tol, patience : float, int
        As in :class:`Patience`; a stage must also gain ``tol * patience`` on the previous one.
    floor : float
        Stop (converged) rather than cut the rate below this.
    precise : bool, default=True
        Stages last as long as the slowest direction needs, and end the fit by the finer tests
        of the module's docstring; False: stages end on patience alone, and the first stage
        that gains less than ``tol`` ends the fit.
    problem : Problem or None
        What is minimised (None: least squares): its curvature
        (:meth:`graddescent.problems.Problem.hessian`) replaces the least-squares Hessian.
    sample_weight : array or None
        The rows' weights, for that curvature.
    """

    def __init__(self, X: np.ndarray, tol: float, patience: int, floor: float,
                 precise: bool = True, problem=None, sample_weight=None) -> None:
        super().__init__(tol, patience)
        self.precise = precise
        self._X = X
        self._problem = problem
        self._sample_weight = sample_weight
        self._H: np.ndarray | None = None
        self.floor = floor
        self.previous_best = math.inf
        self.stage_start = 0  # the step counter when the stage began
        self._next_check = 0  # no need to test the stage's length before this step
        self.cuts = 0
        self._last_end: np.ndarray | None = None  # theta when the previous stage ended
        self._lam: float | None = None  # lambda_min(D^1/2 H D^1/2) at the last check
        self._stage_rate: float | None = None  # ... at the current stage's start
        self._lam_end: float | None = None  # ... when the previous stage ended
        self.ratio = CUT
        self.moved = self.gain = math.inf
        self.flat_stages = 0  # stages in a row that did not improve the objective

    def epochs_before_decision(self, opt: Optimizer, steps_per_epoch: float) -> int:
        if self.stalled >= self.patience:  # waiting for the stage to be long enough
            return max(math.ceil(self.epochs_needed(opt, steps_per_epoch)), 1)
        return super().epochs_before_decision(opt, steps_per_epoch)

    def epochs_needed(self, opt: Optimizer, steps_per_epoch: float) -> float:
        if self.stalled < self.patience:
            return 0.0
        return max(self._next_check - opt.t, 0) / steps_per_epoch

    def _min_steps(self, opt: Optimizer) -> float:
        """Steps the current stage needs for its slowest direction to settle."""
        p = opt.theta.shape[0]
        D = opt.rule.effective_steps(opt.rule_state, opt.t)
        self._lam = None
        if p > MAX_HESSIAN or not np.all(np.isfinite(D)) or np.any(D <= 0):
            return 0.0
        if self._H is None:
            # data held elsewhere (a Dask array) bring their Hessian along
            if hasattr(self._X, "hessian"):
                self._H = self._X.hessian()
            elif self._problem is not None and not (self._problem.is_least_squares
                                                    and self._sample_weight is None):
                self._H = self._problem.hessian(self._X, self._sample_weight)
            else:
                self._H = hessian(self._X)
        root = np.sqrt(D)
        eig = np.linalg.eigvalsh(root[:, None] * self._H * root[None, :])
        live = eig[eig > NULL_EIGENVALUE * eig[-1]]
        if not live.size:
            return 0.0
        self._lam = float(live[0])
        if self._stage_rate is None and self.cuts == 0:
            self._stage_rate = self._lam  # the first stage's reference: its first check
        return RELAXATION / self._lam

    def stage_ended(self, opt: Optimizer) -> bool:
        if not self.precise:
            return self._patience_stage_ended(opt)
        if opt.t < self._next_check:
            return False
        length = self.stage_start + self._min_steps(opt)
        if opt.t < length:
            self._next_check = math.ceil(length)
            return False
        gain = self.previous_best - self.best
        theta = opt.theta
        moved = float(np.linalg.norm(theta - self._last_end)) if self._last_end is not None \
            else math.inf
        self.moved = moved / max(float(np.linalg.norm(theta[1:])), np.finfo(float).tiny)
        self.gain = gain
        # How much lower the effective rate is than at the previous stage's end (CUT for a
        # fixed preconditioner; less when the rule's own decay did part of the cut): the error
        # left shrinks about in proportion, so a small move means little when the rate barely
        # fell.
        self.ratio = CUT
        if self._lam is not None and self._lam_end is not None:
            self.ratio = min(self._lam_end / self._lam, CUT)
        self._lam_end = self._lam
        settled = self.moved * CUT / max(self.ratio, 1.0) <= COEF_RTOL
        self._last_end = theta.copy()
        # Divide the effective rate of the slowest direction by CUT from this stage's start:
        # the rate itself for the rules with a fixed preconditioner, less for those whose
        # step shrinks by itself (Adagrad's growing sum, Adadelta's ratio).
        factor = CUT
        if self._lam is not None and self._stage_rate is not None:
            factor = max(min(CUT * self._lam / self._stage_rate, CUT), 1.0)
        rule = opt.rule
        flat = gain < self.tol * self.patience  # the objective no longer improves
        self.flat_stages = self.flat_stages + 1 if flat else 0
        if (flat and settled) or self.flat_stages > FLAT_STAGES or \
                rule.learning_rate / factor < self.floor:
            return True  # converged: a smaller rate no longer pays
        self._cut(opt, factor)
        self._stage_rate = None if self._lam is None else self._lam / factor
        return False

    def _patience_stage_ended(self, opt: Optimizer) -> bool:
        """The stage ended by patience: stop if it gained less than ``tol``, else cut."""
        self.gain = self.previous_best - self.best
        if self.gain < self.tol or opt.rule.learning_rate / CUT < self.floor:
            return True
        self._cut(opt, CUT)
        return False

    def _cut(self, opt: Optimizer, factor: float) -> None:
        opt.rule = opt.rule.reduced(factor)
        self.cuts += 1
        self.previous_best = min(self.previous_best, self.best)
        self.best, self.stalled = math.inf, 0
        self.stage_start = self._next_check = opt.t
