"""Compiled inner loops: every update rule and every driver, for least squares.

This is the only module that runs loops over samples. Everything here is a module-level
``numba.njit(cache=True)`` function taking arrays in and writing arrays out; Python code
(:mod:`graddescent.drivers`) validates, allocates, draws the sample indices from the caller's
``numpy.random.Generator`` and passes them in. With ``NUMBA_DISABLE_JIT=1`` the very same code
runs as plain Python, which is how the test suite checks it against independent references.

Conventions
-----------
``theta`` has length ``p = d + 1``: ``theta[0]`` is the intercept ``b`` and ``theta[1:]`` the
coefficients ``w``. The intercept is never materialised as a column of ones: the residual of row
``i`` at the point ``z`` is ``r_i = z[0] + X[i] . z[1:] - y[i]`` and the per-sample gradient of
``f_i = r_i^2 / 2`` is ``(r_i, r_i * X[i])``.

Update rules are selected by a small integer code (the ``RULE_*`` constants below) and read their
hyperparameters from a float vector indexed by the ``HP_*`` constants; their state is a
``(STATE_ROWS, p)`` array whose rows each rule documents in :mod:`graddescent.rules`. ``t`` counts
update steps from 1 (Adam's bias correction and the ``invscaling`` schedule use it).

Every kernel returns a status: ``OK`` or ``DIVERGED`` (a residual or gradient stopped being
finite); on ``DIVERGED`` it stops at once and Python raises an error that says what to do.

Performance
-----------
Measured with ``python -m benchmarks.run`` (see the README); what makes the difference:

* ``X`` is read where it lies: no copy, no centring, no column of ones. Any memory layout and
  float32 work (numba compiles one version per array type; float32 rows are read as they are
  and the arithmetic is done in float64, with exactly the numbers of the float64 cast).
* The sampled drivers prefetch the rows they will visit a few steps ahead (the order is known:
  ``idx``), so a random pass over data larger than the caches is not one memory latency per
  step (``prefetch_row``; about three times faster at 1_000_000 x 32).
* The full gradient reads each row once and works on four rows at a time (:func:`full_gradient`,
  within 1.3x of the time ``X.sum()`` takes to read ``X``); whole full-batch loops run here.
* Each update rule is one branch-free loop per coordinate that the compiler vectorizes
  (``error_model="numpy"``: no division-by-zero branch), and single-row plain steps (SGD, SAG,
  SVRG, SARAH) skip the gradient buffer altogether.
* The kernels are compiled without numba's reference counting (they never allocate): every call
  of a helper on arrays inside a loop would otherwise cost atomic increments and decrements.

None of this changes the arithmetic: every sum is taken in the same order as the plain loop,
so results are bit-for-bit those of the straightforward kernels (``tests/test_kernels_reference.py``
compares every driver x rule pair with an independent NumPy transcription of the papers).
"""

from __future__ import annotations

import llvmlite
import numba
import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils, cpu
from numba.extending import intrinsic

# --- update-rule codes -------------------------------------------------------------------------
RULE_PLAIN = 0
RULE_MOMENTUM = 1
RULE_NESTEROV = 2
RULE_ADAGRAD = 3
RULE_ADADELTA = 4
RULE_RMSPROP = 5
RULE_ADAM = 6
RULE_AMSGRAD = 7
RULE_RPROP = 8

# --- hyperparameter slots ----------------------------------------------------------------------
HP_LR = 0  # learning rate (Rprop: initial step size)
HP_MOMENTUM = 1  # heavy-ball / Nesterov mu, RMSprop's momentum
HP_RHO = 2  # decay of the squared-gradient average (Adadelta, RMSprop)
HP_BETA1 = 3
HP_BETA2 = 4
HP_EPS = 5
HP_CENTERED = 6  # RMSprop: 1.0 for the centred variant
HP_POWER_T = 7  # schedule: 0 = constant rate, otherwise lr / t ** power_t
HP_STEP_MIN = 8  # Rprop's step-size bounds
HP_STEP_MAX = 9
HP_SIZE = 10

STATE_ROWS = 3

# Rprop (iRprop-) constants, as in Igel & Huesken 2000 and torch.optim.Rprop.
RPROP_ETA_PLUS = 1.2
RPROP_ETA_MINUS = 0.5
RPROP_STEP_MAX = 50.0
RPROP_STEP_MIN = 1e-6

OK = 0
DIVERGED = 1

# Every kernel: compiled once and cached on disk beside this file; the GIL is released, so fits
# may run in threads. ``error_model="numpy"``: a float division by zero gives inf/NaN (caught as
# DIVERGED) instead of raising, which spares a branch per division and lets the compiler
# vectorize the per-coordinate loops of the rules (no denominator here can be zero: each is a
# count or at least eps). ``_nrt=False``: no reference counting, as nothing here allocates
# (numba's own option; skipped if a numba version lacks it, at the cost of speed only).
_JIT_OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy"}
if hasattr(cpu.CPUTargetOptions, "_nrt"):
    _JIT_OPTIONS["_nrt"] = False
_jit = njit(**_JIT_OPTIONS)


# --- software prefetch -------------------------------------------------------------------------
# The sampled drivers visit the rows of X in a random order, so on data larger than the caches
# every step waits for main memory (about 100 ns). The order is known in advance (``idx``), so
# the kernels ask for the row ``PREFETCH_BYTES`` ahead with the CPU's prefetch instruction;
# this changes no result, only when the bytes arrive. A prefetch never faults.
PREFETCH_BYTES = 2048  # bytes of rows requested ahead; the distance is 8 to 16 rows
_LINE = 64  # cache-line size in bytes


def _prefetch_fn(builder):
    """``llvm.prefetch`` (read, high locality, data cache) declared in ``builder``'s module."""
    i8p = ir.IntType(8).as_pointer()
    typed = (llvmlite.binding.llvm_version_info[0] < 17
             and not getattr(llvmlite, "opaque_pointers_enabled", False))
    fnty = ir.FunctionType(ir.VoidType(), [i8p] + [ir.IntType(32)] * 3)
    name = "llvm.prefetch.p0i8" if typed else "llvm.prefetch.p0"
    fn = cgutils.get_or_insert_function(builder.module, fnty, name)
    consts = [ir.Constant(ir.IntType(32), v) for v in (0, 3, 1)]
    return fn, i8p, consts


@intrinsic
def _prefetch_row_jit(typingctx, a, i):
    """Prefetch the cache lines of row ``i`` of a C-contiguous 2-D array (no-op otherwise)."""
    if not isinstance(a, types.Array) or a.ndim != 2 or not isinstance(i, types.Integer):
        return None
    sig = types.void(a, i)

    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        if aryty.layout != "C":
            return context.get_dummy_value()
        ary = context.make_array(aryty)(context, builder, args[0])
        intp = context.get_value_type(types.intp)
        row = context.cast(builder, args[1], signature.args[1], types.intp)
        zero = ir.Constant(intp, 0)
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [row, zero],
                                       wraparound=False)
        fn, i8p, consts = _prefetch_fn(builder)
        base = builder.bitcast(ptr, i8p)
        ncol = cgutils.unpack_tuple(builder, ary.shape, 2)[1]
        nbytes = builder.mul(ncol, ir.Constant(intp, aryty.dtype.bitwidth // 8))
        with cgutils.for_range_slice(builder, zero, nbytes, ir.Constant(intp, _LINE),
                                     intp=intp) as (off, _):
            builder.call(fn, [builder.gep(base, [off])] + consts)
        # the row may straddle one more line than nbytes / 64
        last = builder.sub(nbytes, ir.Constant(intp, 1))
        builder.call(fn, [builder.gep(base, [last])] + consts)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def _prefetch_item_jit(typingctx, a, i):
    """Prefetch the cache line of ``a[i]`` (1-D array)."""
    if not isinstance(a, types.Array) or a.ndim != 1 or not isinstance(i, types.Integer):
        return None
    sig = types.void(a, i)

    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        k = context.cast(builder, args[1], signature.args[1], types.intp)
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [k], wraparound=False)
        fn, i8p, consts = _prefetch_fn(builder)
        builder.call(fn, [builder.bitcast(ptr, i8p)] + consts)
        return context.get_dummy_value()

    return sig, codegen


def _prefetch_noop(a, i):
    """Pure-Python stand-in used when numba's JIT is disabled."""


if numba.config.DISABLE_JIT:
    prefetch_row = prefetch_item = _prefetch_noop
else:
    prefetch_row = _prefetch_row_jit
    prefetch_item = _prefetch_item_jit


@_jit
def prefetch_distance(X):
    """How many rows ahead to prefetch: ``PREFETCH_BYTES`` worth of rows, within [8, 16].

    (Measured on random row orders at 1_000_000 x 8 and x 32: 8 to 16 rows ahead beat 2 to 6.)
    """
    row_bytes = max(X.shape[1] * X.itemsize, 1)
    return min(max(PREFETCH_BYTES // row_bytes, 8), 16)


# --- update rules ------------------------------------------------------------------------------
@_jit
def rule_step(code, theta, g, state, t, hp):
    """Apply one step of update rule ``code`` to ``theta`` in place, from gradient ``g``.

    Every operation is per coordinate. ``t`` is the number of this step (from 1).

    Each rule (and each RMSprop variant) is one branch-free loop over the coordinates, so that
    the compiler vectorizes it (square roots and divisions included); the flags are tested once
    per step, outside the loops.
    """
    p = theta.shape[0]
    lr = hp[HP_LR]
    if hp[HP_POWER_T] != 0.0:
        lr = lr / t ** hp[HP_POWER_T]
    eps = hp[HP_EPS]
    if code == RULE_PLAIN:
        for j in range(p):
            theta[j] -= lr * g[j]
    elif code == RULE_MOMENTUM:
        mu = hp[HP_MOMENTUM]
        for j in range(p):
            u = mu * state[0, j] + lr * g[j]
            state[0, j] = u
            theta[j] -= u
    elif code == RULE_NESTEROV:
        # Sutskever form: g was taken at the look-ahead point theta + mu * v.
        mu = hp[HP_MOMENTUM]
        for j in range(p):
            v = mu * state[0, j] - lr * g[j]
            state[0, j] = v
            theta[j] += v
    elif code == RULE_ADAGRAD:
        for j in range(p):
            acc = state[0, j] + g[j] * g[j]
            state[0, j] = acc
            theta[j] -= lr * g[j] / (np.sqrt(acc) + eps)
    elif code == RULE_ADADELTA:
        rho = hp[HP_RHO]
        for j in range(p):
            eg = rho * state[0, j] + (1.0 - rho) * g[j] * g[j]
            state[0, j] = eg
            dx = -np.sqrt(state[1, j] + eps) / np.sqrt(eg + eps) * g[j]
            state[1, j] = rho * state[1, j] + (1.0 - rho) * dx * dx
            theta[j] += lr * dx
    elif code == RULE_RMSPROP:
        _rmsprop(theta, g, state, lr, hp[HP_RHO], hp[HP_MOMENTUM], eps,
                 hp[HP_CENTERED] != 0.0)
    elif code == RULE_ADAM or code == RULE_AMSGRAD:
        b1 = hp[HP_BETA1]
        b2 = hp[HP_BETA2]
        c1 = 1.0 - b1**t
        sc2 = np.sqrt(1.0 - b2**t)
        if code == RULE_ADAM:
            for j in range(p):
                m = b1 * state[0, j] + (1.0 - b1) * g[j]
                v = b2 * state[1, j] + (1.0 - b2) * g[j] * g[j]
                state[0, j] = m
                state[1, j] = v
                theta[j] -= lr * (m / c1) / (np.sqrt(v) / sc2 + eps)
        else:
            for j in range(p):
                m = b1 * state[0, j] + (1.0 - b1) * g[j]
                v = b2 * state[1, j] + (1.0 - b2) * g[j] * g[j]
                state[0, j] = m
                state[1, j] = v
                vmax = state[2, j]
                if v > vmax:
                    vmax = v
                state[2, j] = vmax
                theta[j] -= lr * (m / c1) / (np.sqrt(vmax) / sc2 + eps)
    elif code == RULE_RPROP:
        for j in range(p):
            gj = g[j]
            s = gj * state[1, j]
            step = state[0, j]
            if s > 0.0:
                step = min(step * RPROP_ETA_PLUS, hp[HP_STEP_MAX])
            elif s < 0.0:
                step = max(step * RPROP_ETA_MINUS, hp[HP_STEP_MIN])
                gj = 0.0
            state[0, j] = step
            state[1, j] = gj
            if gj > 0.0:
                theta[j] -= step
            elif gj < 0.0:
                theta[j] += step


@_jit
def _rmsprop(theta, g, state, lr, rho, mu, eps, centered):
    """RMSprop's four variants (plain, centred, momentum, both), one loop each."""
    p = theta.shape[0]
    if centered and mu > 0.0:
        for j in range(p):
            v = rho * state[0, j] + (1.0 - rho) * g[j] * g[j]
            state[0, j] = v
            gbar = rho * state[1, j] + (1.0 - rho) * g[j]
            state[1, j] = gbar
            buf = mu * state[2, j] + g[j] / (np.sqrt(v - gbar * gbar) + eps)
            state[2, j] = buf
            theta[j] -= lr * buf
    elif centered:
        for j in range(p):
            v = rho * state[0, j] + (1.0 - rho) * g[j] * g[j]
            state[0, j] = v
            gbar = rho * state[1, j] + (1.0 - rho) * g[j]
            state[1, j] = gbar
            theta[j] -= lr * g[j] / (np.sqrt(v - gbar * gbar) + eps)
    elif mu > 0.0:
        for j in range(p):
            v = rho * state[0, j] + (1.0 - rho) * g[j] * g[j]
            state[0, j] = v
            buf = mu * state[2, j] + g[j] / (np.sqrt(v) + eps)
            state[2, j] = buf
            theta[j] -= lr * buf
    else:
        for j in range(p):
            v = rho * state[0, j] + (1.0 - rho) * g[j] * g[j]
            state[0, j] = v
            theta[j] -= lr * g[j] / (np.sqrt(v) + eps)


@_jit
def look_ahead(theta, state, hp, out):
    """Write Nesterov's look-ahead point ``theta + mu v`` into ``out``."""
    mu = hp[HP_MOMENTUM]
    for j in range(theta.shape[0]):
        out[j] = theta[j] + mu * state[0, j]


@_jit
def effective_steps(code, state, t, hp, out):
    """Each coordinate's step per unit of gradient after ``t`` steps: the rule's diagonal
    preconditioner at its current state (NaN for Rprop, whose step ignores the gradient's size).

    Plain: ``lr``; momentum and Nesterov: ``lr / (1 - mu)`` (the steady-state sum of a buffer);
    Adagrad: ``lr / (sqrt(G) + eps)``; Adadelta: ``lr sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps)``;
    RMSprop: ``lr / (sqrt(v) + eps)`` (centred: ``v - gbar^2``; over ``1 - mu`` with momentum);
    Adam and AMSGrad: ``lr / (sqrt(v / (1 - beta2^t)) + eps)`` (AMSGrad: the running max).
    """
    p = out.shape[0]
    lr = hp[HP_LR]
    if hp[HP_POWER_T] != 0.0 and t > 0:
        lr = lr / t ** hp[HP_POWER_T]
    eps = hp[HP_EPS]
    if code == RULE_PLAIN:
        for j in range(p):
            out[j] = lr
    elif code == RULE_MOMENTUM or code == RULE_NESTEROV:
        for j in range(p):
            out[j] = lr / (1.0 - hp[HP_MOMENTUM])
    elif code == RULE_ADAGRAD:
        for j in range(p):
            out[j] = lr / (np.sqrt(state[0, j]) + eps)
    elif code == RULE_ADADELTA:
        for j in range(p):
            out[j] = lr * np.sqrt(state[1, j] + eps) / np.sqrt(state[0, j] + eps)
    elif code == RULE_RMSPROP:
        centered = hp[HP_CENTERED] != 0.0
        for j in range(p):
            v = state[0, j] - state[1, j] * state[1, j] if centered else state[0, j]
            out[j] = lr / (np.sqrt(max(v, 0.0)) + eps) / (1.0 - hp[HP_MOMENTUM])
    elif code == RULE_ADAM or code == RULE_AMSGRAD:
        row = 1 if code == RULE_ADAM else 2
        c2 = 1.0 - hp[HP_BETA2] ** max(t, 1)
        for j in range(p):
            out[j] = lr / (np.sqrt(state[row, j] / c2) + eps)
    else:
        for j in range(p):
            out[j] = np.nan
    return out


@njit(cache=True, error_model="numpy")
def eval_point(code, theta, state, hp, out):
    """Where the gradient is taken: ``theta``, or Nesterov's look-ahead ``theta + mu v``.

    (The kernels branch on ``code == RULE_NESTEROV`` themselves and never pass the returned
    array around: choosing between two arrays at every step costs more than the step.)
    """
    if code != RULE_NESTEROV:
        return theta
    look_ahead(theta, state, hp, out)
    return out


# --- least squares -----------------------------------------------------------------------------
@_jit
def residual(X, y, i, z):
    """``r_i = z[0] + X[i] . z[1:] - y[i]``."""
    r = z[0] - y[i]
    for j in range(X.shape[1]):
        r += X[i, j] * z[j + 1]
    return r


@_jit
def residual_pair(X, y, i, a, b):
    """``(r_i(a), r_i(b))`` in one pass over row ``i`` (each bit-identical to :func:`residual`)."""
    ra = a[0] - y[i]
    rb = b[0] - y[i]
    for j in range(X.shape[1]):
        x = X[i, j]
        ra += x * a[j + 1]
        rb += x * b[j + 1]
    return ra, rb


@_jit
def full_gradient(X, y, z, g):
    """Write ``grad f(z) = (1/n) sum_i r_i (1, X[i])`` into ``g`` in one pass over ``X``.

    Returns the objective ``f(z) = (1/2n) sum_i r_i^2`` at the same point (free).

    Rows go four at a time: their four residuals are independent sums (each in the column order
    of :func:`residual`, so bit-identical to it) that the CPU overlaps, and each coordinate of
    the gradient then adds the four rows' terms in the data order (the same sums as one row at
    a time). Each row is read once, while it is in cache: one pass over ``X``, at about the
    speed of ``X.sum()`` on large data.
    """
    n, d = X.shape
    for j in range(d + 1):
        g[j] = 0.0
    loss = 0.0
    b = z[0]
    i = 0
    while i + 4 <= n:
        r0 = b - y[i]
        r1 = b - y[i + 1]
        r2 = b - y[i + 2]
        r3 = b - y[i + 3]
        for j in range(d):
            zj = z[j + 1]
            r0 += X[i, j] * zj
            r1 += X[i + 1, j] * zj
            r2 += X[i + 2, j] * zj
            r3 += X[i + 3, j] * zj
        loss += r0 * r0
        loss += r1 * r1
        loss += r2 * r2
        loss += r3 * r3
        g[0] += r0
        g[0] += r1
        g[0] += r2
        g[0] += r3
        for j in range(d):
            gj = g[j + 1]
            gj += r0 * X[i, j]
            gj += r1 * X[i + 1, j]
            gj += r2 * X[i + 2, j]
            gj += r3 * X[i + 3, j]
            g[j + 1] = gj
        i += 4
    while i < n:
        r = residual(X, y, i, z)
        loss += r * r
        g[0] += r
        for j in range(d):
            g[j + 1] += r * X[i, j]
        i += 1
    for j in range(d + 1):
        g[j] /= n
    return 0.5 * loss / n


@_jit
def objective(X, y, z):
    """``f(z) = (1/2n) sum_i r_i^2`` without allocating.

    Rows four at a time, as in :func:`full_gradient` (the same sum, in the same order).
    """
    n, d = X.shape
    loss = 0.0
    b = z[0]
    i = 0
    while i + 4 <= n:
        r0 = b - y[i]
        r1 = b - y[i + 1]
        r2 = b - y[i + 2]
        r3 = b - y[i + 3]
        for j in range(d):
            zj = z[j + 1]
            r0 += X[i, j] * zj
            r1 += X[i + 1, j] * zj
            r2 += X[i + 2, j] * zj
            r3 += X[i + 3, j] * zj
        loss += r0 * r0
        loss += r1 * r1
        loss += r2 * r2
        loss += r3 * r3
        i += 4
    while i < n:
        r = residual(X, y, i, z)
        loss += r * r
        i += 1
    return 0.5 * loss / n


@_jit
def _add_sample(X, i, coef, g):
    """``g += coef * (1, X[i])``."""
    g[0] += coef
    for j in range(X.shape[1]):
        g[j + 1] += coef * X[i, j]


# --- drivers -----------------------------------------------------------------------------------
@_jit
def full_batch(X, y, theta, state, t, code, hp, n_steps, losses, g, z):
    """``n_steps`` full-batch steps. ``losses[k]`` receives f at the point of step k's gradient."""
    for k in range(n_steps):
        if code == RULE_NESTEROV:
            look_ahead(theta, state, hp, z)
            loss = full_gradient(X, y, z, g)
        else:
            loss = full_gradient(X, y, theta, g)
        losses[k] = loss
        if not np.isfinite(loss):
            return t, DIVERGED
        t += 1
        rule_step(code, theta, g, state, t, hp)
    return t, OK


@_jit
def plain_rate(hp, t):
    """The plain rule's step size at step ``t``: ``lr``, or ``lr / t**power_t`` (as rule_step)."""
    if hp[HP_POWER_T] != 0.0:
        return hp[HP_LR] / t ** hp[HP_POWER_T]
    return hp[HP_LR]


@_jit
def _single_plain(X, y, idx, n_steps, theta, t, hp):
    """Single-row plain steps ``theta -= lr_t * r_i (1, X[i])``, without a gradient buffer.

    The same arithmetic as ``rule_step(RULE_PLAIN, ...)`` on ``g = r_i (1, X[i])``.
    """
    d = X.shape[1]
    ahead = prefetch_distance(X)
    n_idx = idx.shape[0]
    for k in range(n_steps):
        if k + ahead < n_idx:
            nxt = idx[k + ahead]
            prefetch_row(X, nxt)
            prefetch_item(y, nxt)
        i = idx[k]
        r = residual(X, y, i, theta)
        if not np.isfinite(r):
            return t, DIVERGED
        t += 1
        rate = plain_rate(hp, t)
        theta[0] -= rate * r
        for j in range(d):
            theta[j + 1] -= rate * (r * X[i, j])
    return t, OK


@_jit
def sampled(X, y, idx, first_len, epoch_len, batch_size, n_steps, theta, state, t, code, hp, g, z):
    """Mini-batch / single-sample steps over the rows ``idx`` (concatenated epoch orders).

    Batches are consecutive runs of ``batch_size`` entries of ``idx`` that never cross an epoch
    boundary: the first epoch (the rest of one already begun) ends after ``first_len`` entries,
    every later one after ``epoch_len`` more. The gradient of a batch is the mean of the
    per-sample gradients over it. Runs ``n_steps`` batches.

    Single-row plain SGD takes a loop of its own (:func:`_single_plain`); every other case
    goes through the batch loop below, whose bookkeeping costs little next to a rule's step.
    """
    if batch_size == 1 and code == RULE_PLAIN:
        return _single_plain(X, y, idx, n_steps, theta, t, hp)
    p = theta.shape[0]
    ahead = prefetch_distance(X)
    nesterov = code == RULE_NESTEROV
    n_idx = idx.shape[0]
    start = 0
    boundary = first_len
    for _ in range(n_steps):
        if start == boundary:
            boundary += epoch_len
        stop = min(start + batch_size, boundary)
        if nesterov:
            look_ahead(theta, state, hp, z)
        for j in range(p):
            g[j] = 0.0
        for k in range(start, stop):
            if k + ahead < n_idx:
                nxt = idx[k + ahead]
                prefetch_row(X, nxt)
                prefetch_item(y, nxt)
            i = idx[k]
            r = residual(X, y, i, z) if nesterov else residual(X, y, i, theta)
            _add_sample(X, i, r, g)
        inv = 1.0 / (stop - start)
        for j in range(p):
            g[j] *= inv
        if not np.isfinite(g[0]):
            return t, DIVERGED
        t += 1
        rule_step(code, theta, g, state, t, hp)
        start = stop
    return t, OK


@_jit
def sampled_epochs(X, y, idx, batch_size, steps_per_epoch, theta, state, t, code, hp, g, z,
                   snapshots):
    """Whole epochs of :func:`sampled`, ``theta`` copied into ``snapshots[e]`` after epoch ``e``.

    ``idx`` concatenates one order of the ``n`` rows per epoch; the steps are exactly those of
    :func:`sampled` over the same indices (one call per epoch, no Python in between).
    """
    n = X.shape[0]
    for e in range(snapshots.shape[0]):
        t, status = sampled(X, y, idx[e * n:(e + 1) * n], n, n, batch_size, steps_per_epoch,
                            theta, state, t, code, hp, g, z)
        if status != OK:
            return t, status
        for j in range(theta.shape[0]):
            snapshots[e, j] = theta[j]
    return t, OK


@_jit
def sag(X, y, idx, theta, state, t, code, hp, memory, seen, dsum, n_seen, fixed_m, g, z):
    """Stochastic average gradient (Le Roux, Schmidt, Bach 2012), one step per entry of ``idx``.

    For least squares the gradient memory of row ``i`` is the scalar residual ``memory[i]``;
    ``dsum`` is the sum of the remembered gradients. The step uses ``dsum / m`` where ``m`` is the
    number of distinct rows seen so far, or ``fixed_m`` when it is positive (e.g. ``n``).
    Returns ``(t, n_seen, status)``.
    """
    p = theta.shape[0]
    ahead = prefetch_distance(X)
    nesterov = code == RULE_NESTEROV
    plain = code == RULE_PLAIN
    n_idx = idx.shape[0]
    for k in range(n_idx):
        if k + ahead < n_idx:
            nxt = idx[k + ahead]
            prefetch_row(X, nxt)
            prefetch_item(y, nxt)
            prefetch_item(memory, nxt)
            prefetch_item(seen, nxt)
        i = idx[k]
        if nesterov:
            look_ahead(theta, state, hp, z)
            r = residual(X, y, i, z)
        else:
            r = residual(X, y, i, theta)
        if not np.isfinite(r):
            return t, n_seen, DIVERGED
        _add_sample(X, i, r - memory[i], dsum)
        memory[i] = r
        if not seen[i]:
            seen[i] = True
            n_seen += 1
        m = fixed_m if fixed_m > 0 else n_seen
        if plain:  # the same arithmetic as rule_step on g = dsum / m, without the buffer
            t += 1
            rate = plain_rate(hp, t)
            for j in range(p):
                theta[j] -= rate * (dsum[j] / m)
        else:
            for j in range(p):
                g[j] = dsum[j] / m
            t += 1
            rule_step(code, theta, g, state, t, hp)
    return t, n_seen, OK


@_jit
def snapshot_vr(X, y, idx, lengths, picks, theta, state, t, code, hp, mu, snap, keep, g, z):
    """SVRG (Johnson & Zhang 2013) and S2GD (Konecny & Richtarik 2017) outer loops.

    Outer loop ``s``: snapshot ``snap = theta`` and its full gradient ``mu``; then ``lengths[s]``
    inner steps along ``grad f_i(theta) - grad f_i(snap) + mu`` with ``i`` the next entry of
    ``idx``. The next snapshot is the last inner iterate when ``picks[s] < 0`` (SVRG option 1,
    S2GD) or the inner iterate number ``picks[s]`` (0 = the snapshot itself; SVRG option 2).
    """
    p = theta.shape[0]
    d = p - 1
    ahead = prefetch_distance(X)
    nesterov = code == RULE_NESTEROV
    plain = code == RULE_PLAIN
    n_idx = idx.shape[0]
    pos = 0
    for s in range(lengths.shape[0]):
        for j in range(p):
            snap[j] = theta[j]
            keep[j] = theta[j]
        loss = full_gradient(X, y, snap, mu)
        if not np.isfinite(loss):
            return t, DIVERGED
        for k in range(lengths[s]):
            if pos + ahead < n_idx:
                nxt = idx[pos + ahead]
                prefetch_row(X, nxt)
                prefetch_item(y, nxt)
            i = idx[pos]
            pos += 1
            if nesterov:
                look_ahead(theta, state, hp, z)
                r_now, r_snap = residual_pair(X, y, i, z, snap)
            else:
                r_now, r_snap = residual_pair(X, y, i, theta, snap)
            dr = r_now - r_snap
            if not np.isfinite(dr):
                return t, DIVERGED
            if plain:  # rule_step's arithmetic on g = mu + dr (1, X[i]), without the buffer
                t += 1
                rate = plain_rate(hp, t)
                theta[0] -= rate * (mu[0] + dr)
                for j in range(d):
                    theta[j + 1] -= rate * (mu[j + 1] + dr * X[i, j])
            else:
                for j in range(p):
                    g[j] = mu[j]
                _add_sample(X, i, dr, g)
                t += 1
                rule_step(code, theta, g, state, t, hp)
            if picks[s] == k + 1:
                for j in range(p):
                    keep[j] = theta[j]
        if picks[s] >= 0:
            for j in range(p):
                theta[j] = keep[j]
    return t, OK


@_jit
def sarah(X, y, idx, m, picks, gamma, theta, state, t, code, hp, v, prev, keep, g, z):
    """SARAH and SARAH+ outer loops (Nguyen, Liu, Scheinberg, Takac 2017, Alg. 1 and 2).

    Outer loop ``s``: ``v_0 = grad f(w_0)``, ``w_1 = step(w_0, v_0)``; then for ``t = 1..m-1``
    (row ``i`` the next of the ``m - 1`` entries of ``idx`` reserved for this loop)
    ``v_t = grad f_i(w_t) - grad f_i(w_{t-1}) + v_{t-1}`` and ``w_{t+1} = step(w_t, v_t)``.
    SARAH (``gamma <= 0``) outputs ``w_{picks[s]}``; SARAH+ (``gamma > 0``) runs the inner loop
    only while ``||v_{t-1}||^2 > gamma ||v_0||^2`` and outputs the last iterate.
    """
    p = theta.shape[0]
    plus = gamma > 0.0
    ahead = prefetch_distance(X)
    nesterov = code == RULE_NESTEROV
    plain = code == RULE_PLAIN
    n_idx = idx.shape[0]
    for s in range(picks.shape[0]):
        for j in range(p):
            prev[j] = theta[j]
            keep[j] = theta[j]
        loss = full_gradient(X, y, theta, v)
        if not np.isfinite(loss):
            return t, DIVERGED
        v0_sq = 0.0
        for j in range(p):
            v0_sq += v[j] * v[j]
        v_sq = v0_sq
        for k in range(m):  # step k takes w_k to w_{k+1}; step 0 uses v_0
            if k > 0:
                if plus and not v_sq > gamma * v0_sq:
                    break
                pos = s * (m - 1) + k - 1
                if pos + ahead < n_idx:
                    nxt = idx[pos + ahead]
                    prefetch_row(X, nxt)
                    prefetch_item(y, nxt)
                i = idx[pos]
                if nesterov:
                    look_ahead(theta, state, hp, z)
                    r_now, r_prev = residual_pair(X, y, i, z, prev)
                else:
                    r_now, r_prev = residual_pair(X, y, i, theta, prev)
                dr = r_now - r_prev
                if not np.isfinite(dr):
                    return t, DIVERGED
                _add_sample(X, i, dr, v)
                v_sq = 0.0
                for j in range(p):
                    v_sq += v[j] * v[j]
                    prev[j] = theta[j]
            if plain:  # rule_step's arithmetic on g = v, without the copy
                t += 1
                rate = plain_rate(hp, t)
                for j in range(p):
                    theta[j] -= rate * v[j]
            else:
                for j in range(p):
                    g[j] = v[j]
                t += 1
                rule_step(code, theta, g, state, t, hp)
            if picks[s] == k + 1:
                for j in range(p):
                    keep[j] = theta[j]
        if not plus:
            for j in range(p):
                theta[j] = keep[j]
    return t, OK
