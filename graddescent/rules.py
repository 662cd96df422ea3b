r"""Update rules: how a gradient :math:`g_t` becomes a step, per coordinate.

An update rule is a small immutable record (:class:`UpdateRule`) made by one of the factory
functions below (``plain``, ``momentum``, ``nesterov``, ``adagrad``, ``adadelta``, ``rmsprop``,
``adam``, ``amsgrad``, ``rprop``). Its state is a ``(3, p)`` array, one row per state vector,
so every coefficient (the intercept included) has its own state: the result never depends on
the order of the columns. The arithmetic lives in one compiled function,
:func:`graddescent._kernels.rule_step`, shared by every driver; :meth:`UpdateRule.step` exposes it
for teaching and testing.

Conventions differ between libraries; ours follow ``torch.optim`` so that every rule can be
checked against it:

.. warning::
   *Where epsilon sits.* Adagrad, RMSprop, Adam and AMSGrad add ``eps`` **outside** the square
   root (as torch); Adadelta adds it **inside** (as Zeiler's paper and torch). optax and Keras put
   RMSprop's ``eps`` inside the root. optax's Adadelta without a learning rate ascends and optax's
   Rprop emits each update one step late: do not use optax as the reference for those two.

The R package gradDescent 3.0 implements only single-row Adagrad, Adadelta, RMSprop and Adam, and
each of them keeps *one scalar state shared by all coefficients* (see ``ALGORITHMS.md`` section 5):
we do not reproduce that (see :mod:`graddescent.r_replay` for a faithful replay of R's numbers).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from . import _kernels as K
from ._validation import check_positive as _check_positive
from ._validation import check_unit_interval as _check_unit

__all__ = [
    "UpdateRule",
    "RULES",
    "plain",
    "momentum",
    "nesterov",
    "adagrad",
    "adadelta",
    "rmsprop",
    "adam",
    "amsgrad",
    "rprop",
]


@dataclasses.dataclass(frozen=True)
class UpdateRule:
    """An update rule with its hyperparameters (immutable; make one with a factory function).

    Attributes
    ----------
    name : str
        Lower-case paper name (``"adam"``).
    code : int
        The rule's code in the compiled kernels.
    learning_rate, momentum, rho, beta1, beta2, eps : float
        Hyperparameters (only those the rule reads matter; see its factory).
    centered : bool
        RMSprop only: divide by the centred second moment.
    power_t : float
        Learning-rate schedule: 0 for a constant rate, otherwise the rate at step ``t`` is
        ``learning_rate / t ** power_t`` (scikit-learn's ``invscaling``).
    full_batch_only : bool
        True for sign-based rules (Rprop), which break on noisy mini-batch gradients.
    step_min, step_max : float
        Rprop's bounds on its step sizes (torch's ``step_sizes``).
    annealed_decays : tuple of str
        The decays of squared-gradient averages (``"rho"``, ``"beta2"``) whose complement
        ``1 - decay`` :meth:`reduced` shrinks with the rate: RMSprop, Adadelta, Adam, AMSGrad.
    annealed_momenta : tuple of str
        The momentum-like decays (``"momentum"``, ``"beta1"``) that :meth:`reduced` shrinks with
        the rate.
    """

    name: str
    code: int
    learning_rate: float
    momentum: float = 0.0
    rho: float = 0.0
    beta1: float = 0.0
    beta2: float = 0.0
    eps: float = 0.0
    centered: bool = False
    power_t: float = 0.0
    full_batch_only: bool = False
    step_min: float = K.RPROP_STEP_MIN
    step_max: float = K.RPROP_STEP_MAX
    annealed_decays: tuple[str, ...] = ()
    annealed_momenta: tuple[str, ...] = ()

    def hyperparameters(self) -> np.ndarray:
        """The float vector the kernels read (slots ``_kernels.HP_*``)."""
        hp = np.zeros(K.HP_SIZE)
        hp[K.HP_LR] = self.learning_rate
        hp[K.HP_MOMENTUM] = self.momentum
        hp[K.HP_RHO] = self.rho
        hp[K.HP_BETA1] = self.beta1
        hp[K.HP_BETA2] = self.beta2
        hp[K.HP_EPS] = self.eps
        hp[K.HP_CENTERED] = float(self.centered)
        hp[K.HP_POWER_T] = self.power_t
        hp[K.HP_STEP_MIN] = self.step_min
        hp[K.HP_STEP_MAX] = self.step_max
        return hp

    def init_state(self, n_params: int) -> np.ndarray:
        """Fresh state for ``n_params`` coordinates: zeros (Rprop: every step size at lr)."""
        state = np.zeros((K.STATE_ROWS, n_params))
        if self.code == K.RULE_RPROP:
            state[0] = self.learning_rate
        return state

    def step(self, theta: np.ndarray, grad: np.ndarray, state: np.ndarray, t: int) -> None:
        """Apply step number ``t`` (from 1) in place to ``theta`` and ``state``.

        For Nesterov, ``grad`` must be taken at :meth:`eval_point`.

        Examples
        --------
        >>> import numpy as np
        >>> from graddescent import rules
        >>> rule = rules.momentum(learning_rate=0.1, momentum=0.9)
        >>> theta = np.array([0.5, -0.3]); state = rule.init_state(2)
        >>> rule.step(theta, np.array([1.0, -2.0]), state, t=1)
        >>> theta
        array([ 0.4, -0.1])
        """
        K.rule_step(self.code, theta, np.asarray(grad, dtype=np.float64), state, t,
                    self.hyperparameters())

    def effective_steps(self, state: np.ndarray, t: int) -> np.ndarray:
        """Each coordinate's step per unit of gradient at ``state`` after ``t`` steps.

        The rule's diagonal preconditioner ``D`` (a step is about ``-D * g``): ``lr`` for the
        plain rule, ``lr / (1 - momentum)`` for the momentum rules, ``lr / (sqrt(v) + eps)``
        for the normalised ones (see :func:`graddescent._kernels.effective_steps`). NaN for
        Rprop, whose step does not scale with the gradient.
        """
        out = np.empty(state.shape[1])
        K.effective_steps(self.code, state, int(t), self.hyperparameters(), out)
        return out

    def reduced(self, factor: float) -> UpdateRule:
        """This rule with its rate divided by ``factor``, and so are ``1 - decay`` for each of
        :attr:`annealed_decays` and each of :attr:`annealed_momenta`.

        Used by the adaptive schedule between its stages. A normalised rule's squared-gradient
        average includes the current gradient, so its expected step at the optimum is not zero:
        the fixed point is off by an amount that shrinks with ``1 - decay``, not with the rate
        (Zou, Shen, Jie, Zhang, Liu 2019). A momentum buffer carries the last ``1 / (1 - mu)``
        sampled gradients across the end of an epoch, which undoes the cancellation that makes
        a reshuffled epoch nearly exact; shrinking it as the rate shrinks is the decaying
        :math:`\beta_{1,t}` of Adam's and AMSGrad's convergence proofs (Kingma & Ba 2015,
        Theorem 4.1; Reddi et al. 2018).

        Examples
        --------
        >>> from graddescent import rules
        >>> rule = rules.adam(learning_rate=0.01).reduced(5)
        >>> rule.learning_rate, rule.beta1, round(rule.beta2, 6)
        (0.002, 0.18, 0.9998)
        """
        changes = {name: 1.0 - (1.0 - getattr(self, name)) / factor
                   for name in self.annealed_decays}
        changes.update({name: getattr(self, name) / factor for name in self.annealed_momenta})
        return dataclasses.replace(self, learning_rate=self.learning_rate / factor, **changes)

    def eval_point(self, theta: np.ndarray, state: np.ndarray) -> np.ndarray:
        """Where the next gradient is taken: ``theta`` (Nesterov: ``theta + momentum * v``)."""
        out = np.empty_like(theta)
        return np.array(K.eval_point(self.code, theta, state, self.hyperparameters(), out))


def _make(name: str, code: int, learning_rate: float, **kw) -> UpdateRule:
    return UpdateRule(name=name, code=code, learning_rate=_check_positive(
        "learning_rate", learning_rate), **kw)


def plain(learning_rate: float = 0.1) -> UpdateRule:
    r"""Plain gradient step (Cauchy 1847).

    .. math:: \theta_t = \theta_{t-1} - \eta\, g_t

    R gradDescent: the step of ``GD``, ``MBGD``, ``SGD``, ``SAGD`` and of the variance-reduced
    learners. Stateless.

    Parameters
    ----------
    learning_rate : float, default 0.1
        :math:`\eta` (R: ``alpha``).

    Returns
    -------
    UpdateRule
    """
    return _make("plain", K.RULE_PLAIN, learning_rate)


def momentum(learning_rate: float = 0.1, momentum: float = 0.9) -> UpdateRule:
    r"""Heavy-ball momentum (Polyak 1964).

    .. math:: u_t = \mu u_{t-1} + \eta g_t, \qquad \theta_t = \theta_{t-1} - u_t

    with :math:`u_0 = 0`, per coordinate. This equals ``torch.optim.SGD(momentum=mu)`` with
    ``dampening=0``. R gradDescent: ``MGD``.

    Parameters
    ----------
    learning_rate : float, default 0.1
        :math:`\eta` (R: ``alpha``).
    momentum : float, default 0.9
        :math:`\mu \in [0, 1)` (R: ``momentum``).

    Returns
    -------
    UpdateRule

    References
    ----------
    B. T. Polyak, "Some methods of speeding up the convergence of iteration methods", 1964.
    """
    return _make("momentum", K.RULE_MOMENTUM, learning_rate,
                 momentum=_check_unit("momentum", momentum), annealed_momenta=("momentum",))


def nesterov(learning_rate: float = 0.1, momentum: float = 0.9) -> UpdateRule:
    r"""Nesterov's accelerated gradient, in Sutskever's form.

    .. math::
        v_t = \mu v_{t-1} - \eta \nabla f(\theta_{t-1} + \mu v_{t-1}), \qquad
        \theta_t = \theta_{t-1} + v_t

    The gradient is taken at the look-ahead point (:meth:`UpdateRule.eval_point`); every driver
    does so. ``torch.optim.SGD(nesterov=True)`` stores the look-ahead point instead: the same
    iterates, shifted. R gradDescent: ``AGD``, which applies the momentum term twice per step
    (neither Nesterov form); we do not.

    Parameters
    ----------
    learning_rate : float, default 0.1
        :math:`\eta` (R: ``alpha``).
    momentum : float, default 0.9
        :math:`\mu \in [0, 1)` (R: ``momentum``).

    Returns
    -------
    UpdateRule

    References
    ----------
    Y. Nesterov, 1983; I. Sutskever, J. Martens, G. Dahl, G. Hinton, "On the importance of
    initialization and momentum in deep learning", ICML 2013.
    """
    return _make("nesterov", K.RULE_NESTEROV, learning_rate,
                 momentum=_check_unit("momentum", momentum), annealed_momenta=("momentum",))


def adagrad(learning_rate: float = 0.1, eps: float = 1e-10) -> UpdateRule:
    r"""Adagrad (Duchi, Hazan, Singer 2011).

    .. math:: G_t = G_{t-1} + g_t^2, \qquad
              \theta_t = \theta_{t-1} - \eta\, g_t / (\sqrt{G_t} + \epsilon)

    per coordinate, :math:`G_0 = 0`; ``eps`` outside the root (as torch). R gradDescent's
    ``ADAGRAD`` sums every past gradient of *every* coefficient into one scalar and has no eps.

    Parameters
    ----------
    learning_rate : float, default 0.1
        :math:`\eta` (R: ``alpha``).
    eps : float, default 1e-10
        Added outside the square root.

    Returns
    -------
    UpdateRule

    References
    ----------
    J. Duchi, E. Hazan, Y. Singer, "Adaptive subgradient methods for online learning and
    stochastic optimization", JMLR 12, 2011.
    """
    return _make("adagrad", K.RULE_ADAGRAD, learning_rate, eps=_check_positive("eps", eps))


def adadelta(learning_rate: float = 1.0, rho: float = 0.9, eps: float = 1e-6) -> UpdateRule:
    r"""Adadelta (Zeiler 2012).

    .. math::
        E[g^2]_t = \rho E[g^2]_{t-1} + (1-\rho) g_t^2, \quad
        \Delta_t = -\frac{\sqrt{E[\Delta^2]_{t-1} + \epsilon}}{\sqrt{E[g^2]_t + \epsilon}} g_t,
        \quad E[\Delta^2]_t = \rho E[\Delta^2]_{t-1} + (1-\rho)\Delta_t^2, \quad
        \theta_t = \theta_{t-1} + \eta \Delta_t

    per coordinate; ``eps`` *inside* the roots (as the paper and torch). The learning rate only
    scales the applied step (torch's convention; the paper has none, i.e. ``eta = 1``).
    R gradDescent's ``ADADELTA`` shares scalar accumulators across coefficients, uses the previous
    coefficient's RMS, and never moves the first coefficient on the first step.

    Parameters
    ----------
    learning_rate : float, default 1.0
        :math:`\eta`.
    rho : float, default 0.9
        Decay :math:`\rho \in [0, 1)` (R: ``momentum``).
    eps : float, default 1e-6
        Added inside both square roots.

    Returns
    -------
    UpdateRule

    References
    ----------
    M. D. Zeiler, "ADADELTA: an adaptive learning rate method", arXiv:1212.5701, 2012.
    """
    return _make("adadelta", K.RULE_ADADELTA, learning_rate, rho=_check_unit("rho", rho),
                 eps=_check_positive("eps", eps), annealed_decays=("rho",))


def rmsprop(learning_rate: float = 0.1, rho: float = 0.9, eps: float = 1e-8,
            momentum: float = 0.0, centered: bool = False) -> UpdateRule:
    r"""RMSprop (Tieleman & Hinton 2012), optionally centred and with momentum (Graves 2013).

    Algorithm (per coordinate, :math:`v_0 = \bar g_0 = b_0 = 0`)::

        v = rho * v + (1 - rho) * g**2
        if centered:  gbar = rho * gbar + (1 - rho) * g;  a = sqrt(v - gbar**2) + eps
        else:         a = sqrt(v) + eps
        if momentum > 0:  b = momentum * b + g / a;  theta -= lr * b
        else:             theta -= lr * g / a

    ``eps`` is added **outside** the root, as in torch (optax and Keras put it inside).
    R gradDescent's ``RMSPROP`` keeps one scalar average shared by all coefficients.

    Parameters
    ----------
    learning_rate : float, default 0.1
        (R: ``alpha``).
    rho : float, default 0.9
        Decay of the squared-gradient average (R: ``momentum``, which means this decay there).
    eps : float, default 1e-8
    momentum : float, default 0.0
        Momentum of the normalised step (0 = none).
    centered : bool, default False

    Returns
    -------
    UpdateRule

    References
    ----------
    T. Tieleman, G. Hinton, Lecture 6e of "Neural networks for machine learning", 2012;
    A. Graves, "Generating sequences with recurrent neural networks", arXiv:1308.0850, eqs. 38-41.
    """
    return _make("rmsprop", K.RULE_RMSPROP, learning_rate, rho=_check_unit("rho", rho),
                 eps=_check_positive("eps", eps), momentum=_check_unit("momentum", momentum),
                 centered=bool(centered), annealed_decays=("rho",),
                 annealed_momenta=("momentum",))


def adam(learning_rate: float = 0.1, beta1: float = 0.9, beta2: float = 0.999,
         eps: float = 1e-8) -> UpdateRule:
    r"""Adam (Kingma & Ba 2015, Algorithm 1).

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,
        \quad \theta_t = \theta_{t-1} - \eta \frac{m_t / (1-\beta_1^t)}
        {\sqrt{v_t / (1-\beta_2^t)} + \epsilon}

    per coordinate, ``eps`` outside the root (as the paper and torch). R gradDescent's ``ADAM``
    shares scalar moments across coefficients and divides by the constants ``1 - beta``, not by
    ``1 - beta^t``.

    Parameters
    ----------
    learning_rate : float, default 0.1
        (R: ``alpha``).
    beta1, beta2 : float, default 0.9, 0.999
        Decays in [0, 1).
    eps : float, default 1e-8

    Returns
    -------
    UpdateRule

    References
    ----------
    D. P. Kingma, J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.
    """
    return _make("adam", K.RULE_ADAM, learning_rate, beta1=_check_unit("beta1", beta1),
                 beta2=_check_unit("beta2", beta2), eps=_check_positive("eps", eps),
                 annealed_decays=("beta2",), annealed_momenta=("beta1",))


def amsgrad(learning_rate: float = 0.1, beta1: float = 0.9, beta2: float = 0.999,
            eps: float = 1e-8) -> UpdateRule:
    r"""AMSGrad (Reddi, Kale, Kumar 2018), in torch's form.

    As :func:`adam`, but with :math:`\hat v_t = \max(\hat v_{t-1}, v_t)` over the raw second
    moment and the denominator :math:`\sqrt{\hat v_t}/\sqrt{1-\beta_2^t} + \epsilon`. The paper's
    form has no bias correction and no eps; torch's form is used here. Not in R gradDescent.

    Parameters
    ----------
    learning_rate : float, default 0.1
    beta1, beta2 : float, default 0.9, 0.999
    eps : float, default 1e-8

    Returns
    -------
    UpdateRule

    References
    ----------
    S. J. Reddi, S. Kale, S. Kumar, "On the convergence of Adam and beyond", ICLR 2018.
    """
    return _make("amsgrad", K.RULE_AMSGRAD, learning_rate, beta1=_check_unit("beta1", beta1),
                 beta2=_check_unit("beta2", beta2), eps=_check_positive("eps", eps),
                 annealed_decays=("beta2",), annealed_momenta=("beta1",))


def rprop(learning_rate: float = 0.1, step_min: float = K.RPROP_STEP_MIN,
          step_max: float = K.RPROP_STEP_MAX) -> UpdateRule:
    r"""Resilient backpropagation, iRprop- (Riedmiller & Braun 1993; Igel & Huesken 2000).

    Per coordinate, with :math:`s = g_t g_{t-1}`: if :math:`s > 0` the step size grows by 1.2
    (at most ``step_max``); if :math:`s < 0` it shrinks by 0.5 (at least ``step_min``) and
    :math:`g_t` is set to 0; then :math:`\theta \mathrel{-}= \mathrm{sign}(g_t)\,\Delta`.
    This is ``torch.optim.Rprop`` (``step_sizes=(step_min, step_max)``).
    **Full batch only**: a sign method breaks on noisy mini-batch gradients (which is why
    RMSprop was proposed). Not in R gradDescent.

    Parameters
    ----------
    learning_rate : float, default 0.1
        Initial step size of every coordinate.
    step_min, step_max : float, default 1e-6, 50
        Bounds on the step sizes (torch's defaults). They are absolute, so they bound the
        precision in the units of the coefficients: :class:`~graddescent.GDRegressor` sets
        them relative to its learning rate.

    Returns
    -------
    UpdateRule

    References
    ----------
    M. Riedmiller, H. Braun, "A direct adaptive method for faster backpropagation learning: the
    RPROP algorithm", 1993; C. Igel, M. Huesken, "Improving the Rprop learning algorithm", 2000.
    """
    step_min = _check_positive("step_min", step_min)
    if not step_max >= step_min:
        raise ValueError(f"step_max must be at least step_min, got {step_max!r} < {step_min!r}.")
    return _make("rprop", K.RULE_RPROP, learning_rate, full_batch_only=True,
                 step_min=step_min, step_max=float(step_max))


#: Rule name -> factory. Each factory's keyword arguments are glossary names.
RULES: dict[str, Callable[..., UpdateRule]] = {
    f.__name__: f
    for f in (plain, momentum, nesterov, adagrad, adadelta, rmsprop, adam, amsgrad, rprop)
}
