"""The one validation layer: every entry point checks its input here before any kernel runs.

The R-style functions, :func:`~graddescent.learn` and :func:`~graddescent.predict`,
:class:`~graddescent.GDRegressor`, the command line, :func:`graddescent.plotting.trajectory` and
the engine (:func:`graddescent.drivers.optimize`, :class:`~graddescent.drivers.Optimizer`) call
these checks, so that the compiled kernels only ever see what they assume: float64, C-contiguous,
writable arrays of matching shapes (checked in O(1) on every call), with finite values whose
least-squares sums cannot overflow (checked once per data set). Every message names the column,
argument or option at fault and says what to do; the caller's data is never modified (every
conversion is a copy).

Frames (the R-style API): :func:`as_frame`, :func:`numeric_matrix`, :func:`split_xy`.
Arrays (the engine and the estimator): :func:`engine_arrays`, :func:`check_vector`,
:func:`check_magnitudes`, :func:`magnitude_limit`, :func:`describe_nonfinite`.
Settings: :func:`check_int`, :func:`check_real`, :func:`check_positive`,
:func:`check_unit_interval`, :func:`check_unit_fraction`, :func:`check_nonnegative`,
:func:`check_str`, :func:`check_mapping`, :func:`check_bool`.
Work and memory (checked before anything is allocated or run): :func:`check_iterations`,
:func:`check_work`, :func:`check_allocation`, :func:`check_jobs`, :data:`MAX_ITERATIONS`,
:data:`MAX_ROW_GRADIENTS`.
Columns and files: :func:`check_column_dtype`, :func:`check_header`, :func:`csv_safe`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

# pandas and the sparse rows (numba) are imported where they are used: the command line's
# argument checks (check_int, check_real, ...) come from here, and its --help and usage errors
# import neither.

__all__ = ["as_frame", "numeric_matrix", "split_xy", "check_int", "check_real", "check_positive",
           "check_unit_interval", "check_unit_fraction", "check_nonnegative", "check_interval",
           "check_choice", "check_str", "check_mapping", "check_bool", "check_vector",
           "engine_arrays", "magnitude_limit", "check_magnitudes", "describe_nonfinite",
           "MAX_ITERATIONS", "MAX_ROW_GRADIENTS", "ITERATION_COST", "STEP_COST",
           "BUDGET_ROW_COST",
           "machine_memory", "check_iterations",
           "check_work", "check_allocation", "check_jobs", "check_column_dtype",
           "check_header", "csv_safe", "check_dask_input"]

_FLOAT_MAX = float(np.finfo(np.float64).max)


# --- frames --------------------------------------------------------------------------------------
def _is_sparse(data: Any) -> bool:
    import pandas as pd

    if isinstance(data, (np.ndarray, pd.DataFrame, list, tuple)):
        return False
    try:
        from scipy import sparse
    except ImportError:  # pragma: no cover - scipy comes with scikit-learn
        return False
    return sparse.issparse(data)


def as_frame(data: Any, name: str = "data") -> pd.DataFrame:
    """Return ``data`` as a DataFrame (a view or a new frame; the caller's data is not modified).

    Accepts a DataFrame or a 2-D array-like; arrays get columns ``V1, V2, ...`` as R's frames do.
    Raises TypeError for a sparse matrix and ValueError for duplicated column names (a column
    must be addressable by its name).
    """
    import pandas as pd

    if _is_sparse(data):
        raise TypeError(f"{name} is a sparse matrix ({type(data).__name__}); the R-style "
                        f"functions take dense data: convert it first (e.g. {name}.toarray()), "
                        f"or keep it sparse with GDRegressor after scikit-learn's MaxAbsScaler "
                        f"or StandardScaler(with_mean=False) (scaling without centring).")
    if isinstance(data, pd.DataFrame):
        frame = data
    else:
        if isinstance(data, pd.Series):
            raise ValueError(f"{name} must be 2-D (rows x columns, output last), got a Series.")
        arr = np.asarray(data)
        if arr.ndim != 2:
            raise ValueError(f"{name} must be 2-D (rows x columns, output last), got an array "
                             f"with {arr.ndim} dimension(s).")
        frame = pd.DataFrame(arr, columns=[f"V{j + 1}" for j in range(arr.shape[1])])
    duplicated = frame.columns[frame.columns.duplicated()]
    if len(duplicated):
        names = ", ".join(repr(c) for c in dict.fromkeys(duplicated))
        raise ValueError(f"{name} has duplicated column name(s) {names}; give every column a "
                         f"distinct name.")
    return frame


def numeric_matrix(frame: pd.DataFrame, name: str = "data", *, min_rows: int = 1,
                   min_cols: int = 1, magnitudes: bool = False) -> np.ndarray:
    """Check that every column is a real number and finite; return a new float64 C array.

    ``magnitudes=True`` also refuses values whose squares would overflow the least-squares sums
    over these rows and columns (:func:`magnitude_limit`; the message names the column).
    """
    n_rows, n_cols = frame.shape
    if n_cols < min_cols:
        raise ValueError(f"{name} needs at least {min_cols} columns (the inputs, then the output "
                         f"last), got {n_cols}.")
    if n_rows < min_rows:
        raise ValueError(f"{name} needs at least {min_rows} rows, got {n_rows}.")
    # the dtypes once: frame.dtypes builds a Series, so reading it per column is quadratic
    for col, dtype in zip(frame.columns, list(frame.dtypes), strict=True):
        check_column_dtype(col, dtype, name)
    with np.errstate(over="ignore"):  # a long double beyond float64's range becomes inf
        values = np.ascontiguousarray(frame.to_numpy(dtype=np.float64, copy=True,
                                                     na_value=np.nan))
    if n_rows == 0:
        return values
    peak = _peak(values)  # NaN or inf when a value is not finite
    if not math.isfinite(peak):
        bad = ~np.isfinite(values)
        j = int(np.argmax(bad.any(axis=0)))
        count = int(bad[:, j].sum())
        kind = ("NaN" if np.isnan(values[:, j]).any()
                else "infinite (or beyond float64's range, about 1.8e308)")
        raise ValueError(f"Column {frame.columns[j]!r} of {name} has {count} {kind} value(s) "
                         f"(missing or infinite data); remove or impute them first.")
    if magnitudes:
        _check_peak(values, peak, magnitude_limit(n_rows, n_cols),
                    lambda j: f"Column {frame.columns[j]!r} of {name}")
    return values


def split_xy(data: Any, name: str = "data_train", *, min_rows: int = 2,
             magnitudes: bool = False):
    """Validate a frame whose last column is the output; return ``(X, y, frame)``.

    ``X`` is a new float64 C-contiguous (n, d) array and ``y`` a new (n,) array;
    ``magnitudes`` as in :func:`numeric_matrix`.
    """
    frame = as_frame(data, name)
    values = numeric_matrix(frame, name, min_rows=min_rows, min_cols=2, magnitudes=magnitudes)
    return np.ascontiguousarray(values[:, :-1]), values[:, -1].copy(), frame


# --- settings ------------------------------------------------------------------------------------
def check_int(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """An integer within ``[low, high]``, else a ValueError naming ``name``.

    The package's one integer check: the R-style API, the comparison settings, the data
    generators and the command line's argument types all use it. A float with an integer value
    (``3.0``) is accepted as that integer; booleans are not integers here.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if (not isinstance(value, bool) and isinstance(value, numbers.Real)
                and float(value).is_integer()):
            value = int(value)
        else:
            raise ValueError(f"{name} must be an integer, got {value!r}.")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}.")
    if high is not None and value > high:
        raise ValueError(f"{name} must be at most {high}, got {value}.")
    return value


def check_real(name: str, value: Any, ok: Callable[[float], bool], expected: str) -> float:
    """``float(value)`` when ``ok`` holds for it, else a ValueError naming ``name``
    ("``name`` must ``expected``, got ...")."""
    try:
        v = float(value) if not isinstance(value, (str, bytes, bool)) else math.nan
    except (TypeError, ValueError, OverflowError):
        v = math.nan
    if not ok(v):
        raise ValueError(f"{name} must {expected}, got {value!r}.")
    return v


def check_positive(name: str, value: Any) -> float:
    """A finite number > 0, else a ValueError naming ``name``."""
    return check_real(name, value, lambda v: math.isfinite(v) and v > 0,
                      "be a positive number (finite)")


def check_interval(name: str, value: Any, low: float, high: float, *,
                   closed: str = "both") -> float:
    """A number between ``low`` and ``high``, else a ValueError naming ``name``.

    ``closed`` says which ends belong to the interval: ``"both"``, ``"left"``, ``"right"`` or
    ``"neither"``.
    """
    left, right = closed in ("both", "left"), closed in ("both", "right")

    def ok(v: float) -> bool:
        return (low <= v if left else low < v) and (v <= high if right else v < high)

    interval = f"{'[' if left else '('}{low:g}, {high:g}{']' if right else ')'}"
    return check_real(name, value, ok, f"lie in {interval}")


def check_unit_interval(name: str, value: Any) -> float:
    """A number in [0, 1), else a ValueError naming ``name``."""
    return check_interval(name, value, 0.0, 1.0, closed="left")


def check_unit_fraction(name: str, value: Any) -> float:
    """A number in (0, 1], else a ValueError naming ``name``."""
    return check_real(name, value, lambda v: 0.0 < v <= 1.0, "lie in (0, 1]")


def check_nonnegative(name: str, value: Any) -> float:
    """A finite number >= 0, else a ValueError naming ``name``."""
    return check_real(name, value, lambda v: np.isfinite(v) and v >= 0, "be >= 0 (and finite)")


def check_choice(name: str, value: Any, choices: tuple[Any, ...]) -> Any:
    """``value`` when it equals one of ``choices``, else a ValueError naming ``name``."""
    if isinstance(value, bool) or value not in choices:
        allowed = " or ".join(f"{c!r}" for c in choices)
        raise ValueError(f"{name} must be {allowed}, got {value!r}.")
    return value


def check_str(name: str, value: Any, example: str) -> str:
    """A string, else a TypeError naming ``name`` (``example``: what a valid value looks like)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string such as {example!r}, got "
                        f"{type(value).__name__} {value!r}.")
    return value


def check_mapping(name: str, value: Any, example: str) -> dict[Any, Any]:
    """A mapping (None: empty) as a new dict, else a TypeError naming ``name``."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict of settings such as {example}, got "
                        f"{type(value).__name__} {value!r}.")
    return dict(value)


def check_bool(name: str, value: Any) -> bool:
    """True or False (Python or NumPy), else a TypeError naming ``name``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


# --- arrays --------------------------------------------------------------------------------------
def check_vector(name: str, value: Any, length: int | None = None, *, expected: str = "",
                 flatten: bool = False) -> np.ndarray:
    """A new finite float64 vector, else a ValueError naming ``name``.

    ``flatten`` also accepts a scalar and a single row or column. ``length`` (when given) is
    checked; ``expected`` says what the length should be.
    """
    try:
        with np.errstate(over="ignore"):
            vec = np.array(value, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must hold numbers, got {value!r} ({exc}).") from None
    if flatten and sum(s > 1 for s in vec.shape) <= 1:
        vec = vec.reshape(-1)
    if vec.ndim != 1:
        raise ValueError(f"{name} must be a vector, got an array of shape {vec.shape}.")
    if length is not None and vec.shape[0] != length:
        raise ValueError(f"{name} has {vec.shape[0]} values, {expected or f'expected {length}'}.")
    bad = ~np.isfinite(vec)
    if bad.any():
        k = int(np.argmax(bad))
        raise ValueError(f"{name} has a non-finite value ({float(vec[k])!r}) at position {k}; "
                         f"every value must be a finite number.")
    return vec


def _as_float_array(name: str, value: Any, ndim: int) -> np.ndarray:
    """``value`` as a float64 C-contiguous writable array (the same object when it already is)."""
    arr = value if isinstance(value, np.ndarray) else np.asarray(value)
    if arr.ndim != ndim:
        shape = "(n_samples, n_features)" if ndim == 2 else "(n_samples,)"
        raise ValueError(f"{name} must be {ndim}-D, of shape {shape}; got an array of shape "
                         f"{arr.shape}.")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}.")
    if arr.dtype != np.float64 or not arr.flags.c_contiguous or not arr.flags.writeable:
        with np.errstate(over="ignore"):
            arr = np.array(arr, dtype=np.float64, order="C", copy=True)
    return arr


def engine_arrays(X: Any, y: Any, n_params: int, n_rows: int | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` as the kernels assume them, checked in O(1) when they already are.

    ``X`` becomes a float64 C-contiguous writable (n, d) array with ``d = n_params - 1`` (and
    ``n = n_rows`` when given: the rows the driver's state was made for), ``y`` a float64 (n,)
    array; a conversion is a copy. Shapes, dimensions and dtypes are checked; values are not
    (see :func:`describe_nonfinite`).
    """
    if isinstance(X, np.ndarray):  # (the common case, without importing the sparse layer)
        X = _as_float_array("X", X, 2)
    else:
        from ._sparse import csr_rows, is_sparse

        # sparse: a CSR record of the matrix's own arrays (:func:`graddescent._sparse.csr_rows`)
        X = csr_rows(X) if is_sparse(X) else _as_float_array("X", X, 2)
    y = _as_float_array("y", y, 1)
    n, d = X.shape
    if n < 1:
        raise ValueError("X has 0 rows; at least one is needed.")
    if y.shape[0] != n:
        raise ValueError(f"y has {y.shape[0]} values but X has {n} rows; they must match.")
    if d + 1 != n_params:
        raise ValueError(f"X has {d} features, but theta has {n_params} values: it needs "
                         f"{d + 1} (the intercept first, then one per feature).")
    if n_rows is not None and n != n_rows:
        raise ValueError(f"X has {n} rows, but the optimizer was made for {n_rows} (its "
                         f"driver's state has one entry per row); make a new Optimizer.")
    return X, y


def magnitude_limit(n_rows: int, n_params: int) -> float:
    r"""The largest magnitude of a value the least-squares sums can take without overflow.

    ``sqrt(max_float / n) / (p + 1)`` for ``n`` rows and ``p = d + 1`` parameters: then every
    residual at a point with coordinates of magnitude at most 1 (R's ``theta0 ~ U(0, 1)``, the
    estimator's zeros) is below ``(p + 1) M`` and the sum of ``n`` squared residuals, the Gram
    matrix and ``L_max`` are finite. About ``1.3e154 / ((p + 1) sqrt(n))``.
    """
    return math.sqrt(_FLOAT_MAX / max(n_rows, 1)) / (n_params + 1)


def _peak(values: np.ndarray) -> float:
    """The largest magnitude in ``values`` (NaN when one is NaN): two contiguous passes."""
    return float(np.maximum(values.max(), -values.min())) if values.size else 0.0


def _check_peak(values: np.ndarray, peak: float, limit: float, label) -> None:
    """Raise a ValueError naming (``label(j)``) the first column of ``values`` beyond ``limit``
    when their largest magnitude ``peak`` is."""
    if not peak > limit:
        return
    column = values.reshape(values.shape[0], -1)
    j = int(np.argmax(np.abs(column).max(axis=0) > limit))
    raise ValueError(f"{label(j)} has values up to {float(np.abs(column[:, j]).max()):.3g} in "
                     f"magnitude: beyond {limit:.3g} the least-squares sums over "
                     f"{values.shape[0]} rows overflow float64. Rescale it first (e.g. "
                     f"variance_scaling or StandardScaler, or other units).")


def check_magnitudes(X: np.ndarray, y: np.ndarray, *, columns: Sequence[Any] | None = None,
                     name: str = "X", y_name: str = "y") -> None:
    """Raise a ValueError naming the first column of ``X`` (or ``y``) whose magnitude exceeds
    :func:`magnitude_limit` (its squares would overflow the least-squares sums)."""
    from ._sparse import CSRRows

    n, d = X.shape
    limit = magnitude_limit(n, d + 1)
    if isinstance(X, CSRRows):  # its nonzeros, each with its column
        if _peak(X.data) > limit:
            k = int(np.argmax(np.abs(X.data) > limit))
            j = int(X.indices[k])
            label = f"Column {columns[j]!r} of {name}" if columns is not None else \
                f"Column {j} of {name}"
            raise ValueError(f"{label} has values up to "
                             f"{float(np.abs(X.data[X.indices == j]).max()):.3g} in magnitude: "
                             f"beyond {limit:.3g} the least-squares sums over {n} rows overflow "
                             f"float64. Rescale it first (e.g. variance_scaling or "
                             f"StandardScaler, or other units).")
        X = X.data[:0].reshape(0, 1)
    _check_peak(X, _peak(X), limit, lambda j: (f"Column {columns[j]!r} of {name}"
                                               if columns is not None
                                               else f"Column {j} of {name}"))
    _check_peak(y, _peak(y), limit, lambda j: f"The output {y_name}")


def describe_nonfinite(X: np.ndarray, y: np.ndarray, theta: np.ndarray,
                       theta_name: str = "theta0") -> str:
    """Why the objective is not finite at ``theta`` before any step: which column of ``X``, ``y``
    or ``theta`` holds a NaN or an infinity, or which column is too large in magnitude."""
    from ._sparse import CSRRows

    if isinstance(X, CSRRows):  # its nonzeros, each with its column
        bad = ~np.isfinite(X.data)
        if bad.any():
            j = int(X.indices[np.argmax(bad)])
            column = X.data[X.indices == j]
            kind = "NaN" if np.isnan(column).any() else "infinite"
            return (f"Column {j} of X has {int((~np.isfinite(column)).sum())} {kind} value(s) "
                    f"(missing or infinite data); remove or impute them first.")
        X = X.data[:0].reshape(0, 1)
    bad = ~np.isfinite(X)
    if bad.any():
        j = int(np.argmax(bad.any(axis=0)))
        kind = "NaN" if np.isnan(X[:, j]).any() else "infinite"
        return (f"Column {j} of X has {int(bad[:, j].sum())} {kind} value(s) (missing or "
                f"infinite data); remove or impute them first.")
    for label, values in (("y", y), (theta_name, theta)):
        bad = ~np.isfinite(values)
        if bad.any():
            return (f"{label} has {int(bad.sum())} non-finite value(s) (first at position "
                    f"{int(np.argmax(bad))}); every value must be a finite number.")
    try:
        check_magnitudes(X, y)
    except ValueError as exc:
        return str(exc)
    return (f"The objective overflows float64 at the starting point ({theta_name}): the data "
            f"and {theta_name} are too large in magnitude; scale the data.")


# --- columns and files ---------------------------------------------------------------------------
def check_column_dtype(column: Any, dtype: Any, name: str = "data") -> None:
    """Refuse a column that does not hold real numbers: text, categories, booleans, complex
    numbers, timestamps and durations (a TypeError naming the column of ``name``).

    Every reader uses it, in memory and streamed (CSV or Parquet), so a column is refused or
    accepted the same way whichever path reads it (a timestamp is never fitted as nanoseconds).
    """
    import pandas as pd

    if pd.api.types.is_bool_dtype(dtype):
        raise TypeError(f"Column {column!r} of {name} is boolean; convert it to 0/1 numbers "
                        f"explicitly if that is what you mean.")
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        raise TypeError(f"Column {column!r} of {name} holds dates or durations (dtype "
                        f"{dtype}); convert it to a number in units you choose (e.g. days "
                        f"since a start) or leave it out.")
    if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_complex_dtype(dtype):
        raise TypeError(f"Column {column!r} of {name} is not numeric (dtype {dtype}); every "
                        f"column must hold real numbers (encode categories first).")


def _is_number(text: Any) -> bool:
    try:
        float(str(text).strip())
    except ValueError:
        return False
    return True


def check_header(columns: Sequence[Any], name: str, sep_option: str = "sep") -> None:
    """Refuse a CSV read without its header row, or with the wrong separator.

    ``columns`` are the names read from the file's first line. When they are all numbers the
    file has no header row: read as names, that first data row would be lost, so a ValueError
    says to add one. A single column whose name holds ``;``, a tab or ``|`` was read with the
    wrong separator: the message names the option ``sep_option`` that sets it.
    """
    columns = [str(c) for c in columns]
    # pandas renames a repeated name "1" to "1.1": still a number
    if columns and all(_is_number(c) for c in columns):
        shown = ", ".join(columns[:5]) + (", ..." if len(columns) > 5 else "")
        raise ValueError(f"{name} has no header row: its first line ({shown}) holds only "
                         f"numbers, so it would be taken for the column names and that row "
                         f"lost; add a first line with the column names (the output last).")
    if len(columns) == 1:
        for sep, label in ((";", "';'"), ("\t", "a tab ('\\t')"), ("|", "'|'")):
            if sep in columns[0]:
                raise ValueError(f"{name} was read as one column named {columns[0][:60]!r}: "
                                 f"its separator looks like {label}, not a comma; give it "
                                 f"with {sep_option}={sep!r}.")


#: Cells of a CSV file that a spreadsheet would run as a formula begin with one of these.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """A text cell that cannot run as a spreadsheet formula (OWASP's CSV-injection advice).

    A string starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a single
    quote in front; anything else (numbers included) is returned as it is.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# --- work and memory -----------------------------------------------------------------------------
#: The most iterations one setting may ask for (R iterations, epochs, steps, streamed passes):
#: far beyond any fit that converges (R's default is 1000), and short of a run that would
#: last for days or a per-iteration record that would not fit in memory.
MAX_ITERATIONS = 10**7

#: The most work one comparison, budget or streamed fit may ask for in all, in row-gradient
#: evaluations (an iteration's fixed cost counted as :data:`ITERATION_COST` of them, a budgeted
#: row gradient as :data:`BUDGET_ROW_COST`): 10^11, minutes on one core; beyond it the settings
#: are refused before anything runs.
MAX_ROW_GRADIENTS = 10**11

#: A budgeted row gradient's cost in plain ones: small steps between recordings cost up to a
#: thousand times a row gradient on small data (measured: 20 ns to 3 us a row gradient).
BUDGET_ROW_COST = 1000


#: What one iteration (an R iteration or an epoch) costs beyond its row gradients, counted in
#: row gradients: up to about 30 us on small data (a variance-reduced outer loop).
ITERATION_COST = 10**4

#: What one update step costs beyond its row gradients, counted in row gradients (about 1 us
#: on small data).
STEP_COST = 300


def machine_memory() -> int:
    """This machine's physical memory in bytes (8 GiB when the system does not say)."""
    global _MACHINE_MEMORY
    if _MACHINE_MEMORY is None:  # asked once: every engine call checks its allocations
        import os

        try:
            _MACHINE_MEMORY = int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
        except (AttributeError, OSError, ValueError):  # pragma: no cover - not POSIX
            _MACHINE_MEMORY = 8 * 2**30
    return _MACHINE_MEMORY


_MACHINE_MEMORY: int | None = None


def check_iterations(name: str, value: Any, low: int = 1) -> int:
    """An integer in ``[low, MAX_ITERATIONS]``, else a ValueError naming ``name`` and the cap."""
    value = check_int(name, value, low=low)
    if value > MAX_ITERATIONS:
        raise ValueError(f"{name} must be at most {MAX_ITERATIONS:.0e} (the most iterations one "
                         f"setting may ask for), got {value:.3g}.")
    return value


def check_work(name: str, row_gradients: float, detail: str = "") -> None:
    """Refuse settings that ask for more than :data:`MAX_ROW_GRADIENTS` row gradients in all
    (a ValueError naming the setting ``name``; ``detail`` says how the count was made)."""
    if not row_gradients <= MAX_ROW_GRADIENTS:
        raise ValueError(f"{name} asks for about {row_gradients:.3g} row-gradient evaluations"
                         f"{f' ({detail})' if detail else ''}, more than the "
                         f"{MAX_ROW_GRADIENTS:.0e} one run may use; ask for less (or fewer "
                         f"seeds, methods or data sets).")


def check_allocation(name: str, n_values: float, what: str, itemsize: int = 8) -> None:
    """Refuse, before allocating, ``n_values`` numbers that would take more than half of this
    machine's memory (a ValueError naming the setting ``name`` and ``what`` they are)."""
    need = float(n_values) * itemsize
    have = machine_memory()
    if not need <= have / 2:
        raise ValueError(f"{name} asks for {what}: {need / 2**30:.3g} GiB, more than half of "
                         f"this machine's {have / 2**30:.3g} GiB of memory.")


def check_jobs(name: str, value: Any, cap: int | None = None) -> int:
    """A number of parallel jobs: an integer other than 0 (-1: every core, -2: all but one),
    at most ``cap`` (default: four per core, and no more than 256 MiB of memory each)."""
    import os

    jobs = check_int(name, value)
    if jobs == 0:
        raise ValueError(f"{name} must be a number of parallel jobs other than 0 (-1: every "
                         f"core), got 0.")
    cores = os.cpu_count() or 1
    if cap is None:
        cap = max(1, min(4 * cores, machine_memory() // 2**28))
    if jobs > cap or jobs < -cores:
        raise ValueError(f"{name} must be from 1 to {cap} parallel jobs on this machine, or "
                         f"from -1 (every core) to -{cores} (all cores but {cores - 1}); got "
                         f"{jobs}.")
    return jobs


# --- Dask input ----------------------------------------------------------------------------------
def check_dask_input(X: Any, name: str = "X", *, n_features: int | None = None,
                     feature_names: Sequence[Any] | None = None) -> None:
    """What can be checked of a Dask array or data frame without computing it.

    A data frame's columns must all be real numbers (:func:`check_column_dtype`, naming the
    column) and, when ``feature_names`` are given, be those in that order; an array must be
    2-D of a real dtype; either must have ``n_features`` columns when given. Raises a
    ValueError or TypeError naming ``name`` and what is wrong.
    """
    if getattr(X, "ndim", 2) != 2:
        raise ValueError(f"{name} must be 2-D (rows x features), got a Dask collection with "
                         f"{X.ndim} dimension(s).")
    columns = getattr(X, "columns", None) if hasattr(X, "dtypes") else None
    if columns is not None:
        for col, dtype in zip(columns, list(X.dtypes), strict=True):
            check_column_dtype(col, dtype, name)
        cols = list(columns)
        if feature_names is not None and [str(c) for c in cols] != [str(c) for c in
                                                                   feature_names]:
            expected = list(feature_names)
            if sorted(map(str, cols)) == sorted(map(str, expected)):
                raise ValueError(f"The columns of {name} are in another order than at fit "
                                 f"time ({cols} instead of {expected}); select them in that "
                                 f"order (X[{expected!r}]).")
            raise ValueError(f"The columns of {name} ({cols}) are not those seen at fit time "
                             f"({expected}).")
        n_cols = len(cols)
    else:
        dtype = np.dtype(X.dtype)
        if dtype.kind not in "biuf":
            raise TypeError(f"{name} must hold real numbers, got a Dask array of dtype "
                            f"{dtype}.")
        n_cols = X.shape[1]
    if n_features is not None and n_cols != n_features:
        raise ValueError(f"{name} has {n_cols} features, but GDRegressor is expecting "
                         f"{n_features} features as input.")
