"""The 14 public learners: R's arguments and defaults from the registry, one factory.

Each learner takes the names of R's arguments in snake_case with R's defaults
(``graddescent._registry.R_NAMES[name].r_args``), then the keyword ``unseeded_rng``; it runs R's
preamble (:class:`~graddescent.r_replay.session.Run`) and what the learner computes
(:data:`~graddescent.r_replay.algorithms.COMPUTE`).
"""

from __future__ import annotations

import inspect
import math
import textwrap
import warnings
from collections.abc import Callable, Mapping
from types import SimpleNamespace

import numpy as np

from .._registry import R_NAMES
from .._signatures import signed_function
from .algorithms import COMPUTE
from .errors import RError, RNonFiniteWarning, Trace
from .inputs import Matrix, as_matrix, count, real
from .session import Run, UnseededRNG

__all__ = [
    "ADADELTA", "ADAGRAD", "ADAM", "AGD", "GD", "LEARNERS", "MBGD", "MGD", "RMSPROP", "SAGD",
    "SARAH", "SARAHPlus", "SGD", "SSGD", "SVRG", "replay_learner",
]  # fmt: skip


# Each R argument: (annotation, description). Types and defaults come from R_NAMES[...].r_args.
_ARGUMENTS: dict[str, tuple[str, str]] = {
    "alpha": ("float", "Learning rate (R: ``alpha``)."),
    "max_iter": (
        "int",
        "Iterations (R: ``maxIter``). R loops over ``1:maxIter``, so 0 runs two iterations\n"
        "(and the single-row learners fail, as in R).",
    ),
    "n_batch": ("int", "Number of batches (R: ``nBatch``)."),
    "momentum": ("float", "Momentum coefficient (R: ``momentum``)."),
    "lamda": (
        "float",
        "Strong-convexity parameter nu of the inner-length law (R: ``lamda``); 0: uniform.",
    ),
    "inner_iter": ("int", "Length of the inner loop (R: ``innerIter``); at least 1."),
    "option": (
        "int",
        "R's ``option``: 1 keeps the next-to-last inner iterate, anything else a random one.",
    ),
    "gamma_s": ("float", "Sufficient-reduction factor of the stopping test (R: ``gammaS``)."),
    "seed": (
        "int | None",
        "R's ``seed``: each ``set.seed(seed)`` of R is replayed with it. None: every draw comes\n"
        "from ``unseeded_rng``.",
    ),
}
_RHO_DOC = "R's ``momentum``, used here as the decay rho of the running averages."
_DATA_TRAIN_DOC = """data_train : pandas.DataFrame or array_like of shape (n_rows, n_columns)
    Training data, numbers only, the last column being the output (R: ``dataTrain``)."""
_UNSEEDED_RNG_DOC = """unseeded_rng : RRandom or numpy.random.Generator or None, keyword-only
    Stands in for the draws R makes after ``set.seed(NULL)`` (clock-seeded, so not
    reproducible in R). An :class:`RRandom` is used and advanced in place; a Generator seeds
    a fresh :class:`RRandom` with one draw. None: a fresh stream from OS entropy."""
_THETA_DOC = """numpy.ndarray of shape (n_columns,)
    theta, intercept first, in the units of ``data_train``."""
_RAISES_DOC = """RError
    Where R stops: a text column, numeric strings included ("requires numeric/complex
    matrix/vector arguments"), a text number argument ("non-numeric argument to binary
    operator"){extra}.
TypeError
    For categorical, date or complex columns and non-numeric arguments (R would read them
    its own way; the replay does not guess)."""
_WARNS_DOC = """RNonFiniteWarning
    Once, when R's theta holds NaN or Inf (an NA or infinite value in the data, steps that
    overflow): the replay returns R's numbers and names the cause and the iteration."""


def _replay_docstring(r_name: str, description: str, raises: str) -> str:
    """The numpydoc docstring: the learner's own description, then the shared sections."""
    method = R_NAMES[r_name]
    items = [_DATA_TRAIN_DOC]
    for arg, default in method.r_args.items():
        kind, text = _ARGUMENTS[arg]
        if method.r_glossary.get(arg) == "rho":
            text = _RHO_DOC
        header = f"{arg} : {kind.replace(' | ', ' or ')}, default={default!r}"
        items.append(header + "\n" + textwrap.indent(text, "    "))
    items.append(_UNSEEDED_RNG_DOC)
    sections = [
        inspect.cleandoc(description),
        "Parameters\n----------\n" + "\n".join(items),
        "Returns\n-------\n" + _THETA_DOC,
        "Raises\n------\n" + _RAISES_DOC.format(extra=f"; {raises}" if raises else ""),
        "Warns\n-----\n" + _WARNS_DOC,
    ]
    return "\n\n".join(sections) + "\n"


#: The most steps (iterations times inner steps) one replay may ask for: the replay runs R's
#: loops a step at a time in Python (about 10 to 150 us a step), so beyond it a run would take
#: minutes to hours; graddescent.learn runs the same learners compiled.
MAX_REPLAY_STEPS = 10**6


def _checked(arguments: Mapping[str, object]) -> dict[str, object]:
    """The learner's R arguments as R would use them, or the error R (or the replay) raises;
    then the steps asked for are checked against :data:`MAX_REPLAY_STEPS`."""
    out = _converted(arguments)
    steps = out.get("max_iter", 0) * max(out.get("inner_iter", 1), 1)
    if steps > MAX_REPLAY_STEPS:
        raise ValueError(f"max_iter asks the replay for {steps:.3g} steps (max_iter x "
                         f"inner_iter), more than the {MAX_REPLAY_STEPS:.0e} it may run: the "
                         f"replay takes R's steps one at a time in Python; use graddescent."
                         f"learn (compiled) for long runs.")
    return out


def _converted(arguments: Mapping[str, object]) -> dict[str, object]:
    out = dict(arguments)
    for name, value in arguments.items():
        if name == "max_iter":
            out[name] = count(value, name, 0)
        elif name == "inner_iter":
            out[name] = count(value, name, 1)
        elif name == "n_batch":
            number = real(value, name)
            if number <= 0 or math.isnan(number):  # R: `iteration %% nBatch == 1` never holds
                message = ("missing value where TRUE/FALSE needed" if number == 0
                           or math.isnan(number) else "object 'temp' not found")
                raise RError(f"{message}: R's MBGD tests `iteration %% nBatch == 1` with "
                             f"nBatch = {value!r}")
            out[name] = count(value, name, 1)
        elif name == "option":
            out[name] = real(value, name)
            if math.isnan(out[name]):
                raise RError("missing value where TRUE/FALSE needed: R's SVRG tests "
                             "`option == 1` with option = NA")
        elif name != "seed":
            out[name] = real(value, name)
    return out


def _coefficient_name(data: Matrix, j: int) -> str:
    return "the intercept" if j == 0 else f"the coefficient of {data.labels[j - 1]}"


def _warn_nonfinite(r_name: str, theta: np.ndarray, trace: Trace, data: Matrix,
                    arguments: Mapping[str, object], causes: list[str] | None,
                    stacklevel: int) -> None:
    """Warn once that R's theta is not finite, naming the cause and the step."""
    if causes is None:
        causes = data.nonfinite_columns()
    causes = causes + [f"{name} is {value!r}" for name, value in arguments.items()
                       if isinstance(value, float) and not math.isfinite(value)]
    if not causes:
        causes = ["the data are finite, so the steps overflowed: the learning rate is too "
                  "large for these data (scale them or lower alpha)"]
    where = ""
    if trace.step is not None:
        where = (f" Theta first held {trace.value!r} after iteration {trace.step} "
                 f"({_coefficient_name(data, trace.coefficient)}).")
    warnings.warn(
        f"R's {r_name} returns non-finite theta {np.array2string(theta, precision=4)}, as the "
        f"replay does.{where} Cause: {'; '.join(causes)}.",
        RNonFiniteWarning,
        stacklevel=stacklevel,
    )


def replay_learner(r_name: str, data: Matrix, arguments: Mapping[str, object],
                   unseeded_rng: UnseededRNG = None, *, causes: list[str] | None = None,
                   stacklevel: int = 2) -> np.ndarray:
    """Run R's learner ``r_name`` on ``data`` with its R ``arguments`` (``seed`` included).

    R's preamble (:class:`~graddescent.r_replay.session.Run`), then what the learner computes
    (:data:`~graddescent.r_replay.algorithms.COMPUTE`). Where R's theta is NaN or infinite,
    returns it and warns once (:class:`~graddescent.r_replay.errors.RNonFiniteWarning`).

    Parameters
    ----------
    r_name : str
        The learner's R name.
    data : Matrix
        ``dataTrain`` as R's matrix (:func:`~graddescent.r_replay.inputs.as_matrix`).
    arguments : mapping
        The learner's arguments by snake_case R name, every one given.
    unseeded_rng : RRandom or numpy.random.Generator or None
        The stream standing in for R's clock-seeded draws.
    causes : list of str, optional
        Why the data hold NaN or Inf, when the caller knows better (``learn``'s scaling);
        default: the data's non-finite columns.
    stacklevel : int, default 2
        Where the warning points, counted from this function.

    Returns
    -------
    numpy.ndarray of shape (n_columns,)
        theta, intercept first.
    """
    arguments = _checked(arguments)
    run = Run(data.values, arguments["seed"], unseeded_rng)
    theta = COMPUTE[r_name](run, SimpleNamespace(**arguments))
    if not np.isfinite(theta).all():
        _warn_nonfinite(r_name, theta, run.trace, data, arguments, causes, stacklevel + 1)
    return theta


def _make_replay_learner(
    r_name: str, description: str, raises: str = ""
) -> Callable[..., np.ndarray]:
    """R's learner ``r_name``: R's arguments in R's order with R's defaults, then the keyword
    ``unseeded_rng``; runs :func:`replay_learner`."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    params = [inspect.Parameter("data_train", kind, annotation="DataLike")]
    params += [
        inspect.Parameter(arg, kind, default=default, annotation=_ARGUMENTS[arg][0])
        for arg, default in R_NAMES[r_name].r_args.items()
    ]
    params.append(
        inspect.Parameter(
            "unseeded_rng", inspect.Parameter.KEYWORD_ONLY, default=None, annotation="UnseededRNG"
        )
    )
    signature = inspect.Signature(params, return_annotation="np.ndarray")

    def learner(arguments: dict[str, object]) -> np.ndarray:
        data = as_matrix(arguments.pop("data_train"))
        unseeded_rng = arguments.pop("unseeded_rng")
        return replay_learner(r_name, data, arguments, unseeded_rng, stacklevel=4)

    doc = _replay_docstring(r_name, description, raises)
    return signed_function(r_name, signature, learner, doc, module="graddescent.r_replay")


GD = _make_replay_learner(
    "GD",
    """Full-batch gradient descent, as R's ``GD``.

    R computes ``theta_j -= alpha * g_j`` with g the mean gradient over all rows. Reproduced
    deviation: ``maxIter = 0`` runs two iterations.""",
)
MBGD = _make_replay_learner(
    "MBGD",
    """Mini-batch gradient descent, as R's ``MBGD``.

    R cycles ``n_batch`` fixed contiguous blocks of the once-shuffled rows, one plain step per
    block. Reproduced deviations: rows dropped when ``n_rows / n_batch`` is not whole, an error
    on one-row batches, no reshuffle between cycles.""",
    raises="a one-row batch; ``n_batch <= 0``",
)
SGD = _make_replay_learner(
    "SGD",
    """Stochastic gradient descent, as R's ``SGD``.

    R draws ``max_iter`` rows with replacement (seeded) and takes one plain step per listed row;
    ``max_iter`` counts single-row steps, not epochs. ``max_iter = 0`` fails as in R.""",
    raises="``max_iter = 0`` (R indexes its row list with 0)",
)
SAGD = _make_replay_learner(
    "SAGD",
    """R's ``SAGD``: SGD that skips each step on a coin flip (not the SAG of the literature).

    Each iteration R first draws ``sample(0:1, 1)`` after ``set.seed(NULL)`` and steps only on
    a 1; the coins come from ``unseeded_rng``. Reproduced deviation: no gradient memory at all.""",
)
MGD = _make_replay_learner(
    "MGD",
    """Full-batch momentum gradient descent, as R's ``MGD``.

    R computes ``u_j = momentum u_j + alpha g_j; theta_j -= u_j`` (heavy ball, u starts at 0).""",
)
AGD = _make_replay_learner(
    "AGD",
    """R's ``AGD`` ("accelerated"): a look-ahead step, then MGD's step at that point.

    R keeps ``theta -= momentum u`` and then applies ``u = momentum u + alpha g(theta);
    theta -= u``. Reproduced deviation: the momentum term counts twice per iteration (neither
    Nesterov form).""",
)
ADAGRAD = _make_replay_learner(
    "ADAGRAD",
    """Single-row Adagrad as R's ``ADAGRAD`` computes it.

    For each coefficient in order R appends ``g_j`` to one list of every gradient component
    ever seen and steps ``alpha g_j / sqrt(sum of squares of the list)``. Reproduced deviations:
    one accumulator shared by all coefficients, no epsilon.""",
)
ADADELTA = _make_replay_learner(
    "ADADELTA",
    """Single-row Adadelta as R's ``ADADELTA`` computes it (no learning rate).

    R keeps scalars ``Eg``, ``Ex`` and the RMS of updates shared by all coefficients
    (eps = 1e-7 inside the roots). Reproduced deviations: the shared state, and the first
    coefficient never moving on the first step (the RMS of updates starts at 0).""",
)
RMSPROP = _make_replay_learner(
    "RMSPROP",
    """Single-row RMSprop as R's ``RMSPROP`` computes it.

    R steps ``alpha g_j / sqrt(E + 1e-7)`` after ``E = rho E + (1 - rho) g_j^2``. Reproduced
    deviation: one scalar ``E`` shared by all coefficients.""",
)
ADAM = _make_replay_learner(
    "ADAM",
    """Single-row Adam as R's ``ADAM`` computes it (beta1 0.9, beta2 0.999, eps 1e-7).

    R steps ``alpha (m / 0.1) / (sqrt(v / 0.001) + 1e-7)``. Reproduced deviations: moments shared
    by all coefficients, bias correction by the constants ``1 - beta`` instead of ``1 - beta^t``.
    """,
)
SSGD = _make_replay_learner(
    "SSGD",
    """Semi-stochastic gradient descent as R's ``SSGD`` computes it.

    Each outer loop: mu = full gradient at w = theta; a random inner length t; t steps
    ``y -= alpha (mu - g_i(y) + g_i(w))`` on rows ``sample(n, 1)``; theta = y. The draws continue
    the stream R re-seeded after theta0, so they start with theta0's uniforms. Reproduced
    deviations: the wrong sign of the correction, the inner-length law (never 1 when
    ``lamda != 0``) and its errors.""",
    raises="``lamda != 0`` with ``inner_iter = 1`` or ``lamda * alpha = 1``",
)
SVRG = _make_replay_learner(
    "SVRG",
    """Stochastic variance-reduced gradient as R's ``SVRG`` computes it.

    Each outer loop: snapshot w~ = theta, mu = full gradient at w~, then for the k-th listed row
    i: ``w -= alpha (g_i(w) - g_i(w~) + mu)``, keeping [w~, w_1, ..., w_m]; theta is entry
    ``inner_iter`` (option 1) or entry ``sample(innerIter, 1)`` (otherwise; drawn after
    ``set.seed(NULL)``, so from ``unseeded_rng``). Reproduced deviations: one row list reused by
    every outer loop; option 1 returns w_(m-1), not w_m.""",
    raises="``option`` NA (R's ``if (option == 1)``)",
)
SARAH = _make_replay_learner(
    "SARAH",
    """Stochastic recursive gradient (SARAH) as R's ``SARAH`` computes it.

    Each outer loop: a full-gradient step to w1, then ``inner_iter - 1`` recursive steps on the
    listed rows (one list for all outer loops); theta is entry ``sample(innerIter, 1)`` of
    [w0, w2, ..., w_m], drawn after ``set.seed(NULL)`` (so from ``unseeded_rng``). Reproduced
    deviations: w1 is never offered; ``inner_iter = 1`` is an error (R loops over ``1:0``).""",
    raises="``inner_iter = 1``",
)
SARAHPlus = _make_replay_learner(
    "SARAHPlus",
    """SARAH+ as R's ``SARAHPlus`` computes it.

    As :func:`SARAH`, but the inner loop runs while ``(v_1 / 3)^2 > gamma_s (v0_1 / 3)^2`` and
    fewer than ``inner_iter - 1`` steps were taken; theta is the last iterate (w0 if the loop
    never ran). Reproduced deviations: the test looks at the intercept's component only, and
    with ``gamma_s = 1`` theta never moves. R 4.2 (the ground truth's) warns that ``&&`` gets a
    vector there; R >= 4.3 stops with an error instead.""",
    raises="a NaN in the stopping test (an NA in the data, NaN steps): R's ``while`` gets NA, "
    '"missing value where TRUE/FALSE needed"',
)

LEARNERS: dict[str, Callable[..., np.ndarray]] = {
    f.__name__: f
    for f in (
        GD,
        MBGD,
        SGD,
        SAGD,
        MGD,
        AGD,
        ADAGRAD,
        ADADELTA,
        RMSPROP,
        ADAM,
        SSGD,
        SVRG,
        SARAH,
        SARAHPlus,
    )
}
"""The 14 learners by R name: the dispatch table of :func:`learn`."""
