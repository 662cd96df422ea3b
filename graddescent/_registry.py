"""The one table of named methods: each pairs an update rule with a driver.

Every public entry point (the R-style functions, :class:`~graddescent.GDRegressor`, the command
line, the parametrized tests) reads :data:`METHODS`; nothing else dispatches on method names.
Adding a method means writing its rule or driver and adding one row here.

R's argument spellings are mapped to our glossary here, once:

=============  ==================  ==================================================
R argument     glossary name       meaning
=============  ==================  ==================================================
``alpha``      ``learning_rate``   step size (S2GD: ``h``)
``maxIter``    ``max_iter``        R functions: driver iterations (see METHODS rows)
``nBatch``     ``n_batch``         batches per epoch (MBGD)
``momentum``   ``momentum``        heavy-ball / Nesterov mu (MGD, AGD)
``momentum``   ``rho``             the squared-gradient decay (ADADELTA, RMSPROP)
``lamda``      ``nu``              S2GD's inner-length parameter
``innerIter``  ``inner_iter``      inner steps per outer loop
``option``     ``option``          SVRG snapshot option (1 or 2)
``gammaS``     ``gamma_s``         SARAH+ stopping ratio
=============  ==================  ==================================================

R's facts are kept here once: each row's ``r_args`` holds R's defaults of its learner, and
:data:`R_ARGUMENTS` documents and checks every R argument; ``learn``'s control defaults
(:func:`control_defaults`), the learners' signatures and docstrings and the command line's help
are derived from them.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from . import drivers as D
from ._validation import (
    STEP_COST,
    check_choice,
    check_int,
    check_interval,
    check_iterations,
    check_nonnegative,
    check_positive,
    check_unit_interval,
    check_work,
)
from .rules import RULES, UpdateRule

__all__ = ["Method", "METHODS", "R_NAMES", "get_method", "RArgument", "R_ARGUMENTS",
           "control_defaults", "check_r_arguments", "r_argument_doc"]

#: Driver keyword arguments, by glossary name.
DRIVER_ARGS = ("batch_size", "n_batch", "inner_iter", "option", "nu", "gamma_s")


@dataclasses.dataclass(frozen=True)
class Method:
    """One named method: an update rule run by a driver, with R's defaults.

    Attributes
    ----------
    name : str
        Lower-case name (``"rmsprop"``), the ``method`` of GDRegressor.
    r_name : str or None
        The R gradDescent function name (``"RMSPROP"``), None if R has no such learner.
    rule : str
        Key of :data:`graddescent.rules.RULES`.
    driver : str
        Key of :data:`graddescent.drivers.DRIVERS`.
    driver_kwargs : mapping
        The driver's natural settings (``batch_size=1`` for single-row methods).
    r_args : mapping
        The R function's arguments after ``data_train`` (snake_case) with R's defaults,
        in R's order; ``max_iter`` and ``seed`` included.
    r_glossary : mapping
        R argument -> glossary name, for the arguments whose name differs.
    summary : str
        One line for tables and docstrings.
    r_differences : str
        How R gradDescent 3.0 computes something else (ALGORITHMS.md section 5).
    """

    name: str
    r_name: str | None
    rule: str
    driver: str
    driver_kwargs: MappingProxyType
    r_args: MappingProxyType
    r_glossary: MappingProxyType
    summary: str
    r_differences: str

    @property
    def rule_factory(self):
        return RULES[self.rule]

    @property
    def driver_class(self) -> type[D.Driver]:
        return D.DRIVERS[self.driver]

    @property
    def is_batchable(self) -> bool:
        """True when the batch size can be chosen (full-batch and sampled drivers)."""
        return self.driver in ("full_batch", "mini_batch")

    def rule_parameters(self) -> tuple[str, ...]:
        """Glossary names the update rule accepts."""
        return tuple(inspect.signature(self.rule_factory).parameters)

    def make_rule(self, **params: Any) -> UpdateRule:
        """The update rule, from glossary-named parameters (extra names are ignored)."""
        accepted = self.rule_parameters()
        return self.rule_factory(**{k: v for k, v in params.items()
                                    if k in accepted and v is not None})

    def make_driver(self, batch_size: int | str | None = None, **params: Any) -> D.Driver:
        """The driver, from glossary-named parameters.

        ``batch_size`` (for the batchable methods only): None keeps the method's natural
        driver, ``"full"`` runs the full batch, an int runs mini-batches of that size.
        """
        if self.is_batchable and batch_size is not None:
            if isinstance(batch_size, str):
                if batch_size != "full":
                    raise ValueError(f"batch_size must be an int, 'full' or None, got "
                                     f"{batch_size!r}.")
                return D.FullBatch()
            return D.MiniBatch(batch_size=int(batch_size),
                               scheme=self.driver_kwargs.get("scheme", "shuffle"))
        cls = self.driver_class
        fields = {f.name for f in dataclasses.fields(cls)}
        kwargs = dict(self.driver_kwargs)
        # The batch geometry is the method's own (n_batch only where the method has it, e.g.
        # MBGD); the other driver settings (inner_iter, option, nu, gamma_s) are taken as given.
        settable = fields & (set(DRIVER_ARGS) - {"batch_size", "n_batch"} | set(kwargs))
        kwargs.update({k: v for k, v in params.items()
                       if k in settable and k != "batch_size" and v is not None})
        return cls(**kwargs)

    def glossary(self, r_params: dict[str, Any]) -> dict[str, Any]:
        """Map R-named arguments to glossary names."""
        return {self.r_glossary.get(k, k): v for k, v in r_params.items()}


def _m(name, r_name, rule, driver, r_args, summary, r_differences, driver_kwargs=None,
       r_glossary=None):
    base = {"alpha": 0.1, "max_iter": 10}
    base.update(r_args)
    base["seed"] = None
    if base["alpha"] is None:  # ADADELTA has no learning rate in R
        base.pop("alpha")
    glossary = {"alpha": "learning_rate"}
    glossary.update(r_glossary or {})
    return Method(name, r_name, rule, driver, MappingProxyType(driver_kwargs or {}),
                  MappingProxyType(base), MappingProxyType(glossary), summary, r_differences)


_SINGLE = {"batch_size": 1}

#: The named methods, R's 14 first, in the R manual's order.
METHODS: dict[str, Method] = {m.name: m for m in (
    _m("gd", "GD", "plain", "full_batch", {}, "gradient descent, full batch",
       "none for the maths; R shuffles the rows first (no effect on full-batch steps)."),
    _m("mbgd", "MBGD", "plain", "mini_batch", {"n_batch": 2},
       "mini-batch gradient descent, n_batch batches per epoch",
       "R cycles n_batch fixed contiguous blocks of the once-shuffled data, drops rows when n is "
       "not divisible by nBatch and errors on one-row batches; we use every row (batches of "
       "ceil(n / n_batch)) in a fresh random order every second epoch and its reverse in the "
       "epochs between (flip-flop, Rajput et al. 2022: with a constant step its median gap to "
       "least squares is 1.7-7 times smaller than with reshuffling every epoch).",
       driver_kwargs={"batch_size": None, "n_batch": 2, "scheme": "flipflop"}),
    _m("sgd", "SGD", "plain", "mini_batch", {}, "stochastic gradient descent, one row per step",
       "R draws the rows with replacement; we go through a fresh permutation every epoch "
       "(random reshuffling, scikit-learn's convention).", driver_kwargs=_SINGLE),
    _m("sagd", "SAGD", "plain", "sag", {}, "stochastic average gradient (SAG)",
       "R's SAGD is SGD that skips each step on an unseeded coin flip: no gradient memory, "
       "not SAG. Ours is the SAG of Le Roux, Schmidt and Bach, dividing by the rows seen."),
    _m("mgd", "MGD", "momentum", "full_batch", {"momentum": 0.9},
       "gradient descent with heavy-ball momentum, full batch", "none for the maths."),
    _m("agd", "AGD", "nesterov", "full_batch", {"momentum": 0.9},
       "Nesterov's accelerated gradient, full batch",
       "R applies the momentum term twice per step (neither Nesterov form)."),
    _m("adagrad", "ADAGRAD", "adagrad", "mini_batch", {}, "Adagrad, one row per step",
       "R keeps one scalar accumulator of every past gradient of every coefficient, shared by "
       "all coefficients, with no eps.", driver_kwargs=_SINGLE),
    _m("adadelta", "ADADELTA", "adadelta", "mini_batch", {"alpha": None, "momentum": 0.9},
       "Adadelta, one row per step",
       "R shares scalar accumulators across coefficients (the result depends on column order) "
       "and its first coefficient never moves on the first step.",
       driver_kwargs=_SINGLE, r_glossary={"momentum": "rho"}),
    _m("rmsprop", "RMSPROP", "rmsprop", "mini_batch", {"momentum": 0.9},
       "RMSprop, one row per step",
       "R keeps one scalar squared-gradient average shared by all coefficients and puts "
       "eps = 1e-7 inside the root.", driver_kwargs=_SINGLE, r_glossary={"momentum": "rho"}),
    _m("adam", "ADAM", "adam", "mini_batch", {}, "Adam, one row per step",
       "R shares scalar moments across coefficients and divides by the constants 1 - beta, "
       "not by 1 - beta^t (its eps is 1e-7).", driver_kwargs=_SINGLE),
    _m("ssgd", "SSGD", "plain", "s2gd", {"lamda": 0.0, "inner_iter": 10},
       "semi-stochastic gradient descent (S2GD)",
       "R's variance-reduced direction has the wrong sign; with lamda != 0 its inner-length law "
       "never yields 1, and it errors for inner_iter = 1 or lamda * alpha = 1.",
       r_glossary={"lamda": "nu"}),
    _m("svrg", "SVRG", "plain", "svrg", {"inner_iter": 10, "option": 2},
       "stochastic variance-reduced gradient",
       "R reuses one list of rows in every outer loop, its option 1 returns w_{m-1} instead of "
       "w_m, and its option 2 draw is not reproducible with a seed."),
    _m("sarah", "SARAH", "plain", "sarah", {"inner_iter": 10},
       "StochAstic Recursive grAdient algoritHm",
       "R never offers w_1 as output, reuses one list of rows, and its output draw is not "
       "reproducible with a seed."),
    _m("sarahplus", "SARAHPlus", "plain", "sarah_plus", {"inner_iter": 10, "gamma_s": 0.125},
       "SARAH+ (inner loop stopped by the gradient's shrinkage)",
       "R's stopping test looks only at the intercept's component; with gammaS = 1 it never "
       "moves."),
    _m("saga", None, "plain", "saga", {}, "SAGA (unbiased SAG, with a proximal step for L1)",
       "not in R gradDescent."),
    _m("amsgrad", None, "amsgrad", "mini_batch", {}, "AMSGrad, one row per step",
       "not in R gradDescent.", driver_kwargs=_SINGLE),
    _m("rprop", None, "rprop", "full_batch", {}, "Rprop (iRprop-), full batch",
       "not in R gradDescent."),
    _m("adamax", None, "adamax", "mini_batch", {}, "AdaMax, one row per step",
       "not in R gradDescent.", driver_kwargs=_SINGLE),
    _m("nadam", None, "nadam", "mini_batch", {}, "NAdam, one row per step",
       "not in R gradDescent.", driver_kwargs=_SINGLE),
)}

#: R name -> Method.
R_NAMES: dict[str, Method] = {m.r_name: m for m in METHODS.values() if m.r_name}


def get_method(name: str) -> Method:
    """Look a method up by its lower-case or R name; unknown names raise a ValueError."""
    if not isinstance(name, str):
        raise TypeError(f"A method name must be a string such as 'gd' or 'GD', got "
                        f"{type(name).__name__} {name!r}.")
    method = METHODS.get(name) or R_NAMES.get(name) or METHODS.get(str(name).lower())
    if method is None:
        known = ", ".join(m.r_name or m.name for m in METHODS.values())
        raise ValueError(f"Unknown learning method {name!r}. Known methods: {known}.")
    return method


# --- R's arguments ----------------------------------------------------------------------------
def _check_seed(name: str, value: Any) -> int | None:
    return None if value is None else check_int(name, value, low=0)


@dataclasses.dataclass(frozen=True)
class RArgument:
    """One argument of the R learners (their defaults are in each row's ``r_args``).

    Attributes
    ----------
    annotation : str
        Its type, as the docstrings write it (``"float"``, ``"int"``, ``"int or None"``).
    doc : str
        One line for the learners' docstrings; ``{unit}`` stands for what one iteration of the
        learner's driver is (:data:`R_UNITS`).
    check : callable
        ``check(name, value)``: the value, converted, or a ValueError naming the argument.
    """

    annotation: str
    doc: str
    check: Callable[[str, Any], Any]


#: The R learners' arguments after ``data_train``, snake_case, in R's order of ``control``.
R_ARGUMENTS: Mapping[str, RArgument] = MappingProxyType({
    "alpha": RArgument("float", "Learning rate (glossary: ``learning_rate``; R: ``alpha``). "
                                "Must be > 0.", check_positive),
    "max_iter": RArgument("int", "Number of iterations in R's sense (R: ``maxIter``): {unit}. "
                                 "0 returns theta0; at most 1e7.",
                          functools.partial(check_iterations, low=0)),
    "momentum": RArgument("float", "Momentum mu in [0, 1) (R: ``momentum``).",
                          check_unit_interval),
    "n_batch": RArgument("int", "Batches per epoch (R: ``nBatch``), 1 <= n_batch <= rows; each "
                                "batch has ceil(n / n_batch) rows.",
                         functools.partial(check_int, low=1)),
    "lamda": RArgument("float", "S2GD's nu >= 0 (R: ``lamda``): P(inner length t) is "
                                "proportional to (1 - lamda * alpha)^(inner_iter - t); 0 gives "
                                "the uniform law.", check_nonnegative),
    "inner_iter": RArgument("int", "Inner steps per outer loop (R: ``innerIter``), >= 1, at "
                                   "most 1e7.", functools.partial(check_iterations, low=1)),
    "option": RArgument("int", "SVRG snapshot option (R: ``option``): 1 keeps the last inner "
                               "iterate, 2 a uniformly drawn one.",
                        functools.partial(check_choice, choices=(1, 2))),
    "gamma_s": RArgument("float", "SARAH+ stopping ratio in (0, 1] (R: ``gammaS``).",
                         functools.partial(check_interval, low=0.0, high=1.0, closed="right")),
    "seed": RArgument("int or None", "Seed (int) of the random draws, or None for unseeded. "
                                     "The same seed gives bit-identical results.", _check_seed),
})

#: What one R iteration (``max_iter``) is, by driver.
R_UNITS: Mapping[str, str] = MappingProxyType({
    "full_batch": "full-batch steps", "mini_batch": "steps (one batch each)",
    "sag": "single-row steps", "s2gd": "outer loops", "svrg": "outer loops",
    "sarah": "outer loops", "sarah_plus": "outer loops", "saga": "single-row steps"})

_RHO_DOC = ("Decay rho of the squared-gradient average, in [0, 1) (R's ``momentum`` means this "
            "decay here; glossary: ``rho``).")


def r_argument_doc(method: Method, argument: str) -> str:
    """The docstring line of one of ``method``'s R arguments."""
    if method.r_glossary.get(argument) == "rho":
        return _RHO_DOC
    return R_ARGUMENTS[argument].doc.format(unit=R_UNITS[method.driver])


def control_defaults() -> dict[str, Any]:
    """R's default of every ``control`` entry of ``learn``, in R's order (``seed`` excluded).

    Read from the rows' ``r_args``; two R learners never disagree on a default.
    """
    found: dict[str, Any] = {}
    for method in R_NAMES.values():
        for name, default in method.r_args.items():
            if found.setdefault(name, default) != default:
                raise ValueError(f"R learners disagree on the default of {name!r}.")
    return {name: found[name] for name in R_ARGUMENTS if name in found and name != "seed"}


def check_r_arguments(arguments: Mapping[str, Any], n_rows: int) -> dict[str, Any]:
    """R-named learner arguments, each checked and converted (:data:`R_ARGUMENTS`).

    Also checks what depends on the data or on two arguments: ``n_batch <= n_rows`` and
    ``lamda * alpha < 1`` (S2GD's inner-length law). Unknown names raise a TypeError.

    Raises
    ------
    ValueError
        Naming the first argument out of its range.
    """
    unknown = set(arguments) - set(R_ARGUMENTS)
    if unknown:
        raise TypeError(f"unknown R argument(s) {sorted(unknown)}; known: {list(R_ARGUMENTS)}.")
    out = {name: R_ARGUMENTS[name].check(name, value) for name, value in arguments.items()}
    if "n_batch" in out:
        check_int("n_batch", out["n_batch"], high=n_rows)
    if "max_iter" in out:  # the work asked for, before any allocation (an upper bound)
        inner = out.get("inner_iter", 0)
        check_work("max_iter", float(out["max_iter"]) * (n_rows + (2.0 + STEP_COST) * inner
                                                          + STEP_COST),
                   f"{out['max_iter']} iterations of up to {n_rows} + 2 x {inner} row "
                   f"gradients, each step counted as {STEP_COST} more")
    if "lamda" in out and "alpha" in out and out["lamda"] * out["alpha"] >= 1.0:
        raise ValueError(f"lamda * alpha must be < 1 for S2GD's inner-length law, got "
                         f"{out['lamda'] * out['alpha']!r}.")
    return out
