r"""What an update rule is: its specification (:class:`RuleSpec`), the record users hold
(:class:`UpdateRule`) and the compiled entry points every driver kernel calls.

A rule module (``graddescent/rules/adam.py``, ...) holds everything about one rule family and
nothing else: a :class:`RuleSpec` per rule with its hyperparameters (default, valid range,
meaning, R name), its named state rows, its compiled step and per-coordinate effective step,
what the estimator needs to know (how ``learning_rate="auto"`` picks a rate, whether the rule
damps itself, what the adaptive schedule anneals), its factory function with the docstring (the
maths, where eps goes, the references), its NumPy transcription for the reference tests and its
``torch.optim`` equivalent for the stored fixtures. :mod:`graddescent.rules` finds the rule modules
by itself; nothing else in the package names a rule.

How a driver kernel runs any rule without naming it. The rule's hyperparameters reach the
kernels as a small record, a :class:`typing.NamedTuple` subclass of the rule module whose
fields are ``lr``, ``power_t``, ``t0`` and then the rule's hyperparameters (``params`` of the
spec). Its class carries the rule's compiled functions (:func:`attach`). The driver kernels call the
generic :func:`step`, :func:`effective_steps`, :func:`looks_ahead`, :func:`look_ahead` and
:func:`is_linear` below, which numba resolves at compile time from the record's type: one
specialization of each driver kernel per rule, cached on disk like any other kernel (a record
type pickles by its class's name, so the cache key is stable across processes; passing the
compiled step itself as an argument would not be: numba issue 2956), with no run-time dispatch
and no table of rules anywhere. Where a driver has a fast path for the linear rules (plain SGD
without a gradient buffer) it picks between two kernels with :func:`by_linearity` (or
:func:`by_look_ahead`), so that each specialization compiles only the path it runs: an ``if`` on
:func:`is_linear` would compile both (numba types both branches of a run-time ``if``).

Sparse rows. A rule whose step acts on each coordinate alone may declare its coordinate-wise
form (:func:`attach`: the step at one coordinate, and the closed form of the steps in which a
coordinate's gradient component is zero); the sampled drivers then step only the rows'
columns and apply the steps a coefficient missed when a row next touches it
(:func:`coordinate_step`, :func:`skipped_steps`, :func:`coordinate_point`, picked with
:func:`by_coordinates` and :func:`by_skip_condition`).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import sys
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

import numba
import numpy as np
from numba.extending import overload

from .._jit import choose, kernel, overload_inline
from .._validation import check_nonnegative, check_positive, check_unit_interval

__all__ = ["Hyperparameter", "RuleSpec", "UpdateRule", "record", "attach", "register", "specs",
           "get_spec", "step", "effective_steps", "looks_ahead", "look_ahead", "is_linear",
           "rate", "constant_rate", "by_linearity", "by_look_ahead", "coordinate_step",
           "by_coordinates", "skipped_steps", "coordinate_point", "skips_exactly",
           "by_skip_condition", "geometric", "over", "inverse_root", "decayed"]

_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "positive": check_positive,
    "unit": check_unit_interval,
    "nonnegative": check_nonnegative,
    "bool": lambda name, value: bool(value),
}


@dataclasses.dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter of a rule (the learning rate is every rule's and is not listed).

    Attributes
    ----------
    name : str
        Glossary name: the factory's keyword and the field of the compiled record.
    default : float or bool
    check : {"positive", "unit", "nonnegative", "bool"}
        Valid range: > 0, [0, 1), >= 0, or a flag.
    doc : str
        One line for docstrings and help texts.
    r_name : str or None
        The R gradDescent argument it corresponds to, if any.
    """

    name: str
    default: float | bool
    check: str
    doc: str
    r_name: str | None = None

    def validate(self, value: Any) -> Any:
        return _CHECKS[self.check](self.name, value)


@dataclasses.dataclass(frozen=True)
class RuleSpec:
    """Everything the package knows about one update rule.

    Attributes
    ----------
    name : str
        Lower-case paper name (``"adam"``), the key of :data:`graddescent.rules.RULES`.
    params : type
        The compiled record (a NamedTuple class with fields ``lr``, ``power_t``, ``t0``, then the
        names of ``hyperparameters`` in order), carrying the compiled functions (:func:`attach`).
    hyperparameters : tuple of Hyperparameter
    state : tuple of str
        Names of the rows of the rule's ``(len(state), p)`` state array.
    factory : callable
        The public factory function (keyword arguments: ``learning_rate`` and the
        hyperparameters' names), whose docstring documents the rule.
    default_learning_rate : float
        The factory's default rate.
    auto_rate : tuple
        How ``learning_rate="auto"`` picks the rate (:meth:`UpdateRule.auto_learning_rate`):
        ``("curvature", c)``, ``c / L`` with ``L`` the smoothness constant of the driver's
        gradient estimate (rules whose step is proportional to the gradient), or
        ``("target", c)``, ``c * RMS(y)`` (rules whose step is normalised).
    self_damping : bool
        The step vanishes with the gradient, so a constant rate reaches the optimum when the
        gradient is exact (the estimator's default schedule is then constant).
    annealed_decays, annealed_momenta : tuple of str
        What :meth:`UpdateRule.reduced` shrinks with the rate, besides the rate: ``1 - decay``
        of squared-gradient averages, and momentum-like decays.
    full_batch_only : bool
        A sign-based rule (Rprop) that breaks on noisy mini-batch gradients.
    follow_rate : mapping
        Hyperparameters that the estimator sets as multiples of its learning rate (Rprop's
        absolute step bounds), so that the precision does not depend on the units of ``y``.
    initial_state : callable or None
        ``initial_state(rule, state)`` fills a fresh state array (default: zeros).
    reference_step : callable
        NumPy transcription of the paper, whole vectors at a time, independent of the compiled
        step: ``reference_step(rule, theta, g, state, t) -> new theta`` with ``state`` a dict
        of the named state vectors (updated in place). The reference tests compare every
        driver x rule pair of the compiled kernels with it.
    reference_effective : callable or None
        ``reference_effective(rule, state, t, p) -> D``: NumPy transcription of the effective
        steps for ``p`` coordinates (None: the rule has none, like Rprop).
    reference_point : callable or None
        ``reference_point(rule, theta, state) -> point`` where the gradient is taken (default
        ``theta``; Nesterov: the look-ahead point).
    reference_initial : callable or None
        ``reference_initial(rule, p) -> dict`` of initial state vectors (default zeros).
    examples : mapping
        Labelled factory keyword sets that the parametrized tests run (label -> kwargs).
    torch : str or None
        The ``torch.optim`` call with the same arithmetic, as a template of the factory's
        keywords, e.g. ``"Adam(lr={learning_rate}, betas=({beta1}, {beta2}), eps={eps})"``;
        ``tests/make_torch_fixtures.py`` stores its iterates as test vectors.
    """

    name: str
    params: type
    hyperparameters: tuple[Hyperparameter, ...]
    state: tuple[str, ...]
    factory: Callable[..., UpdateRule]
    default_learning_rate: float
    auto_rate: tuple[str, float]
    self_damping: bool
    reference_step: Callable[..., np.ndarray]
    annealed_decays: tuple[str, ...] = ()
    annealed_momenta: tuple[str, ...] = ()
    full_batch_only: bool = False
    follow_rate: Mapping[str, float] = dataclasses.field(default_factory=dict)
    initial_state: Callable[[UpdateRule, np.ndarray], None] | None = None
    reference_effective: Callable[..., np.ndarray] | None = None
    reference_point: Callable[..., np.ndarray] | None = None
    reference_initial: Callable[[UpdateRule, int], dict] | None = None
    examples: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)
    torch: str | None = None

    def __post_init__(self) -> None:
        fields = tuple(self.params._fields)
        want = ("lr", "power_t", "t0") + tuple(h.name for h in self.hyperparameters)
        if fields != want:
            raise TypeError(f"rule {self.name!r}: the compiled record's fields {fields} must be "
                            f"{want}.")
        if self.auto_rate[0] not in ("curvature", "target"):
            raise ValueError(f"rule {self.name!r}: auto_rate kind must be 'curvature' or "
                             f"'target', got {self.auto_rate[0]!r}.")

    @property
    def hyperparameter_names(self) -> tuple[str, ...]:
        return tuple(h.name for h in self.hyperparameters)

    def make(self, learning_rate: Any, **hyper: Any) -> UpdateRule:
        """The rule with these hyperparameters, each checked against its declared range."""
        unknown = set(hyper) - set(self.hyperparameter_names)
        if unknown:
            raise TypeError(f"rule {self.name!r} has no hyperparameter "
                            f"{', '.join(sorted(unknown))}; it takes "
                            f"{', '.join(('learning_rate',) + self.hyperparameter_names)}.")
        values = tuple((h.name, h.validate(hyper.get(h.name, h.default)))
                       for h in self.hyperparameters)
        return UpdateRule(self.name, check_positive("learning_rate", learning_rate), 0.0, values)


_SPECS: dict[str, RuleSpec] = {}


def register(spec: RuleSpec) -> RuleSpec:
    """Add ``spec`` to the registry of rules (done by each rule module on import)."""
    if spec.name in _SPECS and _SPECS[spec.name] is not spec:
        raise ValueError(f"two update rules are named {spec.name!r}.")
    _SPECS[spec.name] = spec
    return spec


def specs() -> tuple[RuleSpec, ...]:
    """Every registered rule, in registration order."""
    return tuple(_SPECS.values())


def get_spec(name: str) -> RuleSpec:
    try:
        return _SPECS[name]
    except KeyError:
        raise ValueError(f"unknown update rule {name!r}; known: {', '.join(_SPECS)}.") from None


#: What reading a hyperparameter that a rule does not have gives (the fixed fields of earlier
#: versions of UpdateRule, which every rule carried): the value that means "not used".
_ABSENT = MappingProxyType({"momentum": 0.0, "rho": 0.0, "beta1": 0.0, "beta2": 0.0,
                            "eps": 0.0, "centered": False, "step_min": 1e-6,
                            "step_max": 50.0})


@dataclasses.dataclass(frozen=True)
class UpdateRule:
    """An update rule with its hyperparameters (immutable; make one with a factory function).

    Attributes
    ----------
    name : str
        Lower-case paper name (``"adam"``).
    learning_rate : float
        The step size (R: ``alpha``; Rprop: the initial step of every coordinate).
    power_t : float
        Learning-rate schedule: 0 for a constant rate, otherwise the rate at step ``t`` is
        ``learning_rate / (t + t0) ** power_t`` (scikit-learn's ``invscaling`` for ``t0 = 0``;
        its ``"optimal"`` schedule is ``learning_rate = 1 / alpha``, ``power_t = 1`` and its
        ``t0 - 1``).
    hyper : tuple of (name, value)
        The rule's other hyperparameters, also readable as attributes (``rule.beta1``). Reading
        one that the rule does not have gives the value that means "unused" (``momentum`` 0,
        ``centered`` False, ...).
    """

    name: str
    learning_rate: float
    power_t: float = 0.0
    hyper: tuple[tuple[str, Any], ...] = ()
    t0: float = 0.0

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        hyper = self.__dict__.get("hyper")
        if hyper is not None:
            for key, value in hyper:
                if key == attr:
                    return value
            if attr in _ABSENT:
                return _ABSENT[attr]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {attr!r}")

    # --- what the rule is --------------------------------------------------------------------
    @property
    def spec(self) -> RuleSpec:
        return get_spec(self.name)

    @property
    def code(self) -> int:
        """The rule's position in the registry (a distinct number per rule)."""
        return list(_SPECS).index(self.name)

    @property
    def full_batch_only(self) -> bool:
        """True for sign-based rules (Rprop), which break on noisy mini-batch gradients."""
        return self.spec.full_batch_only

    @property
    def has_effective_steps(self) -> bool:
        """True when the step scales with the gradient coordinate by coordinate (the rule has
        effective steps, :meth:`effective_steps`): then an L1 part of the penalty has a proximal
        step in the rule's diagonal metric. False for Rprop."""
        return self.spec.reference_effective is not None

    @property
    def evaluates_ahead(self) -> bool:
        """True when the rule takes its gradient at a look-ahead point (Nesterov): the L1 part
        of a penalty then has no proximal form here, since the prox would act on the iterate
        while the gradient is taken elsewhere (measured: such a fit settles away from the
        lasso's optimum)."""
        return getattr(type(self.hyperparameters()), "LOOKAHEAD", False)

    @property
    def annealed_decays(self) -> tuple[str, ...]:
        return self.spec.annealed_decays

    @property
    def annealed_momenta(self) -> tuple[str, ...]:
        return self.spec.annealed_momenta

    @property
    def self_damping(self) -> bool:
        """True when the step vanishes with the gradient (see :class:`RuleSpec`)."""
        return self.spec.self_damping

    def hyperparameter_dict(self) -> dict[str, Any]:
        """The hyperparameters as a dict, the learning rate included."""
        return {"learning_rate": self.learning_rate, **dict(self.hyper)}

    def replace(self, **changes: Any) -> UpdateRule:
        """A copy with some of ``learning_rate``, ``power_t``, ``t0`` and the hyperparameters
        changed (each checked against its declared range)."""
        spec = self.spec
        values = dict(self.hyper)
        for key in set(changes) - {"learning_rate", "power_t", "t0"}:
            if key not in values:
                raise TypeError(f"rule {self.name!r} has no hyperparameter {key!r}.")
        hyper = tuple((h.name, h.validate(changes[h.name]) if h.name in changes
                       else values[h.name]) for h in spec.hyperparameters)
        lr = check_positive("learning_rate", changes.get("learning_rate", self.learning_rate))
        power_t = float(changes.get("power_t", self.power_t))
        t0 = float(changes.get("t0", self.t0))
        if not (math.isfinite(t0) and t0 > -1.0):  # step 1 must have a finite positive rate
            raise ValueError(f"t0 must be a finite number above -1, got {t0!r}.")
        return UpdateRule(self.name, lr, power_t, hyper, t0)

    def at_rate(self, learning_rate: float, power_t: float = 0.0, t0: float = 0.0
                ) -> UpdateRule:
        """This rule at ``learning_rate`` (and schedule exponent ``power_t``, step offset
        ``t0``: step ``t`` has rate ``learning_rate / (t + t0) ** power_t``), with the
        hyperparameters that follow the rate (:attr:`RuleSpec.follow_rate`) set from it."""
        follow = {k: f * learning_rate for k, f in self.spec.follow_rate.items()}
        return self.replace(learning_rate=learning_rate, power_t=power_t, t0=t0, **follow)

    def hyperparameters(self):
        """The compiled record the kernels read (a NamedTuple: ``lr``, ``power_t``, ...)."""
        return _record(self)

    def init_state(self, n_params: int) -> np.ndarray:
        """Fresh state for ``n_params`` coordinates: one row per name of the spec's ``state``."""
        spec = self.spec
        state = np.zeros((len(spec.state), n_params))
        if spec.initial_state is not None:
            spec.initial_state(self, state)
        return state

    def state_dict(self, state: np.ndarray) -> dict[str, np.ndarray]:
        """The rows of a state array by name (views)."""
        return {name: state[k] for k, name in enumerate(self.spec.state)}

    # --- what the rule does ------------------------------------------------------------------
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
        _step_once(self.hyperparameters(), theta, np.asarray(grad, dtype=np.float64), state,
                   int(t))

    def effective_steps(self, state: np.ndarray, t: int) -> np.ndarray:
        """Each coordinate's step per unit of gradient at ``state`` after ``t`` steps.

        The rule's diagonal preconditioner ``D`` (a step is about ``-D * g``): ``lr`` for the
        plain rule, ``lr / (1 - momentum)`` for the momentum rules, ``lr / (sqrt(v) + eps)``
        for the normalised ones (each rule's docstring gives its formula). NaN for Rprop,
        whose step does not scale with the gradient. The adaptive schedule reads it, and so does
        :func:`graddescent.plotting.effective_step_sizes`.
        """
        out = np.empty(state.shape[1])
        _effective_once(self.hyperparameters(), state, int(t), out)
        return out

    def eval_point(self, theta: np.ndarray, state: np.ndarray) -> np.ndarray:
        """Where the next gradient is taken: ``theta`` (Nesterov: ``theta + momentum * v``)."""
        out = np.array(theta, dtype=np.float64, copy=True)
        hp = self.hyperparameters()
        if type(hp).LOOKAHEAD:
            _look_ahead_once(hp, theta, state, out)
        return out

    def reduced(self, factor: float) -> UpdateRule:
        r"""This rule with its rate divided by ``factor``, and so are ``1 - decay`` for each of
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
        return self.replace(learning_rate=self.learning_rate / factor, **changes)

    def auto_learning_rate(self, smoothness: Callable[[], float],
                           target_rms: float | Callable[[], float], noisy: bool) -> float:
        """The measured default rate (``learning_rate="auto"`` of the estimator).

        ``("curvature", c)`` rules: ``c / smoothness()``, the classical safe step ``1 / L`` for
        ``c = 1`` (Nesterov 2004), times ``1 - momentum`` when the gradient is a noisy sample
        (a momentum buffer sums about ``1 / (1 - mu)`` noisy steps). ``("target", c)`` rules
        (normalised steps, about ``learning_rate`` per coordinate whatever the size of the
        gradient): ``c * target_rms``, so the units of ``y`` do not matter. ``smoothness`` and
        ``target_rms`` (a number or a function returning it) are evaluated only when needed.
        """
        kind, factor = self.spec.auto_rate
        if kind == "target":
            rms = target_rms() if callable(target_rms) else target_rms
            return factor * (rms if rms > 0 else 1.0)
        lr = factor / smoothness()
        if self.momentum > 0 and noisy:
            lr *= 1.0 - self.momentum
        return lr


@functools.lru_cache(maxsize=256)
def _record(rule: UpdateRule):
    spec = rule.spec
    return spec.params(float(rule.learning_rate), float(rule.power_t), float(rule.t0),
                       *(value for _, value in rule.hyper))


def record(name: str, hyperparameters: tuple[Hyperparameter, ...]) -> type:
    """The compiled record class of a rule: a NamedTuple with fields ``lr``, ``power_t``, ``t0``
    and the hyperparameters' names (floats; flags as bools).

    Call it at module level and bind the result to ``name`` in the calling module
    (``AdamParams = record("AdamParams", HYPER)``): numba's on-disk cache finds the class by
    its module and name.
    """
    fields = [("lr", float), ("power_t", float), ("t0", float)] + [
        (h.name, bool if h.check == "bool" else float) for h in hyperparameters]
    cls = NamedTuple(name, fields)
    cls.__module__ = sys._getframe(1).f_globals["__name__"]
    cls.__doc__ = f"The compiled record of a rule: {', '.join(f for f, _ in fields)}."
    return cls


def attach(params: type, *, step: Callable, effective: Callable,
           look_ahead: Callable | None = None, linear: bool = False,
           coordinate_step: Callable | None = None, skipped_steps: Callable | None = None,
           coordinate_look_ahead: Callable | None = None,
           skips_exactly: Callable | None = None) -> type:
    """Give a rule's compiled record class its compiled functions.

    ``step(hp, theta, g, state, t)`` applies step ``t`` in place; ``effective(hp, state, t,
    out)`` writes the effective steps; ``look_ahead(hp, theta, state, out)`` writes the point
    where the gradient is taken (rules that look ahead: Nesterov); ``linear`` says that the step
    is ``theta -= rate(hp, t) * g`` with no state (the plain rule), which lets the drivers skip
    the gradient buffer.

    The coordinate-wise form, for the rules whose step acts on each coordinate alone (the
    sparse drivers' lazy steps: a coordinate that no row of a step touches has a zero gradient
    component there, and the steps it misses are applied in closed form when a row next touches
    it, and at the end of the call):

    * ``coordinate_step(hp, theta, j, gj, state, t)``: step ``t`` at coordinate ``j`` alone
      along the gradient component ``gj`` (the arithmetic of ``step`` there);
    * ``skipped_steps(hp, theta, j, state, t, k)``: the steps ``t + 1, ..., t + k`` (``k`` an
      integer) at coordinate ``j`` with a zero gradient component, in closed form (a few
      operations whatever ``k``); None when such steps change neither the coefficient nor its state
      (Adagrad);
    * ``coordinate_look_ahead(hp, theta, j, state)``: coordinate ``j`` of the look-ahead point
      (rules that look ahead);
    * ``skips_exactly(hp)``: whether ``skipped_steps`` holds for these hyperparameter values
      (None: for all of them); where it does not, the drivers take the dense steps.
    """
    params.STEP = staticmethod(step)
    params.COORDINATE_STEP = (staticmethod(coordinate_step) if coordinate_step is not None
                              else None)
    params.SKIPPED_STEPS = staticmethod(skipped_steps) if skipped_steps is not None else None
    params.COORDINATE_LOOK_AHEAD = (staticmethod(coordinate_look_ahead)
                                    if coordinate_look_ahead is not None else None)
    params.SKIPS_EXACTLY = staticmethod(skips_exactly) if skips_exactly is not None else None
    params.EFFECTIVE = staticmethod(effective)
    params.LOOK_AHEAD = staticmethod(look_ahead) if look_ahead is not None else None
    params.LOOKAHEAD = look_ahead is not None
    params.LINEAR = bool(linear)
    return params


# --- the compiled entry points of the drivers ---------------------------------------------------
# Each has a plain-Python body (used with NUMBA_DISABLE_JIT=1 and from Python) and an overload
# that numba resolves from the record's type at compile time.
def step(hp, theta, g, state, t):
    """Apply the rule of record ``hp`` (step ``t``, from 1) to ``theta`` in place."""
    type(hp).STEP(hp, theta, g, state, t)


def effective_steps(hp, state, t, out):
    """Write the rule's effective steps after ``t`` steps into ``out``."""
    type(hp).EFFECTIVE(hp, state, t, out)


def looks_ahead(hp):
    """True when the rule takes its gradient at a look-ahead point (a compile-time constant)."""
    return type(hp).LOOKAHEAD


def look_ahead(hp, theta, state, out):
    """Write the rule's look-ahead point into ``out`` (nothing for the other rules)."""
    fn = type(hp).LOOK_AHEAD
    if fn is not None:
        fn(hp, theta, state, out)


def coordinate_step(hp, theta, j, gj, state, t):
    """Step ``t`` of the rule at coordinate ``j`` alone, along the gradient component ``gj``
    (the rules with a :func:`attach` ``coordinate_step`` only)."""
    type(hp).COORDINATE_STEP(hp, theta, j, gj, state, t)


def skipped_steps(hp, theta, j, state, t, k):
    """Steps ``t + 1, ..., t + k`` of the rule at coordinate ``j`` alone with a zero gradient
    component, in closed form (nothing for the rules whose such steps change nothing; see
    :func:`attach`). Valid where :func:`skips_exactly` holds."""
    fn = type(hp).SKIPPED_STEPS
    if fn is not None:
        fn(hp, theta, j, state, t, k)


def coordinate_point(hp, theta, j, state):
    """Coordinate ``j`` of the point where the rule takes its gradient: ``theta[j]``, or its
    look-ahead (Nesterov: ``theta[j] + momentum * v[j]``)."""
    fn = type(hp).COORDINATE_LOOK_AHEAD
    if fn is None:
        return theta[j]
    return fn(hp, theta, j, state)


def skips_exactly(hp):
    """Whether the rule's :func:`skipped_steps` holds for the record's hyperparameter values
    (always, but for the rules that say otherwise)."""
    fn = type(hp).SKIPS_EXACTLY
    return True if fn is None else bool(fn(hp))


def by_coordinates(coordinates: Callable, other: Callable, *, inline: bool = False
                   ) -> Callable:
    """As :func:`by_linearity`: ``coordinates`` for the records of the rules with a coordinate
    step (see :func:`attach`), ``other`` for the rest."""
    return choose(lambda params: coordinates if getattr(params, "COORDINATE_STEP", None)
                  is not None else other, coordinates, inline=inline)


def by_skip_condition(conditional: Callable, always: Callable, *, inline: bool = False
                      ) -> Callable:
    """As :func:`by_linearity`: ``conditional`` for the records of the rules whose skipped
    steps have a closed form for some hyperparameter values only (a :func:`attach`
    ``skips_exactly``), ``always`` for the rest; so that the test of :func:`skips_exactly`,
    and the dense steps it falls back to, are compiled only for the former."""
    return choose(lambda params: conditional if getattr(params, "SKIPS_EXACTLY", None)
                  is not None else always, always, inline=inline)


@kernel(inline=True)
def geometric(mu, k):
    """``(mu + mu**2 + ... + mu**k, mu**k)`` for ``0 <= mu < 1`` and an integer ``k >= 1``:
    what ``k`` steps of a velocity decaying by ``mu`` add up to, and what is left of it."""
    q = mu**k
    # mu / (1 - mu) does not depend on k: the compiler hoists it out of a driver's loop
    return (1.0 - q) * (mu / (1.0 - mu)), q


def is_linear(hp):
    """True when the step is ``theta -= rate(hp, t) * g`` with no state (compile-time)."""
    return type(hp).LINEAR


def _forward(attr: str):
    """An overload that calls the record class's compiled function ``attr`` with four more
    arguments (a no-op when the class has none)."""

    def typer(hp, a, b, c, d):
        fn = getattr(hp.instance_class, attr)
        if fn is None:
            return lambda hp, a, b, c, d: None
        return lambda hp, a, b, c, d: fn(hp, a, b, c, d)

    return typer


def _forward3(attr: str):
    """As :func:`_forward`, with three more arguments."""

    def typer(hp, a, b, c):
        fn = getattr(hp.instance_class, attr)
        if fn is None:
            return lambda hp, a, b, c: None
        return lambda hp, a, b, c: fn(hp, a, b, c)

    return typer


def _constant(attr: str):
    """An overload that returns the record class's flag ``attr`` as a compile-time constant."""

    def typer(hp):
        if getattr(hp.instance_class, attr):
            return lambda hp: True
        return lambda hp: False

    return typer


if not numba.config.DISABLE_JIT:
    _OPTIONS = {"nogil": True, "error_model": "numpy"}
    # inline="always": the rule's step becomes part of the driver's loop (no call per step)
    overload_inline(step, _forward("STEP"), _OPTIONS)
    overload(effective_steps, jit_options=_OPTIONS)(_forward3("EFFECTIVE"))
    overload_inline(look_ahead, _forward3("LOOK_AHEAD"), _OPTIONS)
    overload(looks_ahead)(_constant("LOOKAHEAD"))
    overload(is_linear)(_constant("LINEAR"))

    def _coordinate_typer(hp, theta, j, gj, state, t):
        fn = hp.instance_class.COORDINATE_STEP
        return lambda hp, theta, j, gj, state, t: fn(hp, theta, j, gj, state, t)

    overload(coordinate_step, jit_options=_OPTIONS)(_coordinate_typer)

    def _skipped_typer(hp, theta, j, state, t, k):
        fn = hp.instance_class.SKIPPED_STEPS
        if fn is None:
            return lambda hp, theta, j, state, t, k: None
        return lambda hp, theta, j, state, t, k: fn(hp, theta, j, state, t, k)

    overload(skipped_steps, jit_options=_OPTIONS)(_skipped_typer)

    def _point_typer(hp, theta, j, state):
        fn = hp.instance_class.COORDINATE_LOOK_AHEAD
        if fn is None:
            return lambda hp, theta, j, state: theta[j]
        return lambda hp, theta, j, state: fn(hp, theta, j, state)

    overload_inline(coordinate_point, _point_typer, _OPTIONS)

    def _exactly_typer(hp):
        fn = hp.instance_class.SKIPS_EXACTLY
        if fn is None:
            return lambda hp: True
        return lambda hp: fn(hp)

    overload(skips_exactly, jit_options=_OPTIONS)(_exactly_typer)


def by_linearity(linear: Callable, other: Callable, *, inline: bool = False) -> Callable:
    """A compiled function that runs ``linear`` for the records of linear rules (see
    :func:`is_linear`) and ``other`` for the rest, both taking the record first.

    The choice is made at compile time (:func:`graddescent._jit.choose`): a driver's fast path
    for the plain rule and its general path are never both compiled for one rule.
    """
    return choose(lambda params: linear if params.LINEAR else other, linear, inline=inline)


def by_look_ahead(ahead: Callable, other: Callable, *, inline: bool = False) -> Callable:
    """As :func:`by_linearity`, for the rules that take their gradient at a look-ahead point
    (see :func:`looks_ahead`): ``ahead`` for them, ``other`` for the rest."""
    return choose(lambda params: ahead if params.LOOKAHEAD else other, ahead, inline=inline)


@kernel(inline=True)
def rate(hp, t):
    """The rate at step ``t``: ``lr``, or ``lr / (t + t0) ** power_t`` (the invscaling schedule;
    ``t0`` is 0 but for scikit-learn's ``"optimal"`` one)."""
    if hp.power_t != 0.0:
        return hp.lr / (t + hp.t0) ** hp.power_t
    return hp.lr


#: The smallest normal double. A running power of a decay below it has underflowed.
_SMALLEST_NORMAL = float(np.finfo(np.float64).tiny)


@kernel(inline=True)
def decayed(power, beta):
    """``power * beta``: the next running power of a decay, 0 once it falls below the smallest
    normal double.

    A product ``beta^t`` kept step by step underflows into subnormal numbers (after about
    6_700 steps for 0.9), and for ``beta > 1/2`` the product then rounds back to the smallest
    subnormal at every step instead of reaching 0; every later step then works on a subnormal
    operand, which x86 processors handle on a slow path (Adam's single-row step on 3 features
    ran 1.6x slower from there on). Below ``2**-1022`` the power is 0 to within that bound,
    and every bias correction ``1 - beta^t`` it enters is exactly 1 either way: the same
    steps, bit for bit.
    """
    p = power * beta
    return p if p >= _SMALLEST_NORMAL else 0.0


@kernel(inline=True)
def over(x, c):
    """``x / c``, the division skipped once ``c`` is exactly 1: a bias correction ``1 - beta^t``
    rounds to 1 once ``beta^t`` is at most ``2**-54`` (after about 355 steps for 0.9, 37_400 for
    0.999), and ``x / 1`` is ``x``. The same bits, and the divider, which bounds the adaptive
    rules' single-row steps, spared for the rest of the fit."""
    return x if c == 1.0 else x / c


@kernel(inline=True)
def inverse_root(c):
    """``1 / sqrt(c)``, exactly 1 without a root or a division once ``c`` is 1 (as :func:`over`)."""
    return 1.0 if c == 1.0 else 1.0 / np.sqrt(c)


@kernel(inline=True)
def constant_rate(hp):
    """True when :func:`rate` is the same at every step (no schedule)."""
    return hp.power_t == 0.0


@kernel
def _step_once(hp, theta, g, state, t):
    step(hp, theta, g, state, t)


@kernel
def _effective_once(hp, state, t, out):
    effective_steps(hp, state, t, out)


@kernel
def _look_ahead_once(hp, theta, state, out):
    look_ahead(hp, theta, state, out)
