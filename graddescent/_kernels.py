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
"""

from __future__ import annotations

import numpy as np
from numba import njit

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
HP_SIZE = 8

STATE_ROWS = 3

# Rprop (iRprop-) constants, as in Igel & Huesken 2000 and torch.optim.Rprop.
RPROP_ETA_PLUS = 1.2
RPROP_ETA_MINUS = 0.5
RPROP_STEP_MAX = 50.0
RPROP_STEP_MIN = 1e-6

OK = 0
DIVERGED = 1


# --- update rules ------------------------------------------------------------------------------
@njit(cache=True)
def rule_step(code, theta, g, state, t, hp):
    """Apply one step of update rule ``code`` to ``theta`` in place, from gradient ``g``.

    Every operation is per coordinate. ``t`` is the number of this step (from 1).
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
        rho = hp[HP_RHO]
        mu = hp[HP_MOMENTUM]
        centered = hp[HP_CENTERED] != 0.0
        for j in range(p):
            v = rho * state[0, j] + (1.0 - rho) * g[j] * g[j]
            state[0, j] = v
            if centered:
                gbar = rho * state[1, j] + (1.0 - rho) * g[j]
                state[1, j] = gbar
                a = np.sqrt(v - gbar * gbar) + eps
            else:
                a = np.sqrt(v) + eps
            if mu > 0.0:
                buf = mu * state[2, j] + g[j] / a
                state[2, j] = buf
                theta[j] -= lr * buf
            else:
                theta[j] -= lr * g[j] / a
    elif code == RULE_ADAM or code == RULE_AMSGRAD:
        b1 = hp[HP_BETA1]
        b2 = hp[HP_BETA2]
        c1 = 1.0 - b1**t
        c2 = 1.0 - b2**t
        for j in range(p):
            m = b1 * state[0, j] + (1.0 - b1) * g[j]
            v = b2 * state[1, j] + (1.0 - b2) * g[j] * g[j]
            state[0, j] = m
            state[1, j] = v
            if code == RULE_AMSGRAD:
                if v > state[2, j]:
                    state[2, j] = v
                v = state[2, j]
            theta[j] -= lr * (m / c1) / (np.sqrt(v) / np.sqrt(c2) + eps)
    elif code == RULE_RPROP:
        for j in range(p):
            gj = g[j]
            s = gj * state[1, j]
            step = state[0, j]
            if s > 0.0:
                step = min(step * RPROP_ETA_PLUS, RPROP_STEP_MAX)
            elif s < 0.0:
                step = max(step * RPROP_ETA_MINUS, RPROP_STEP_MIN)
                gj = 0.0
            state[0, j] = step
            state[1, j] = gj
            if gj > 0.0:
                theta[j] -= step
            elif gj < 0.0:
                theta[j] += step


@njit(cache=True)
def eval_point(code, theta, state, hp, out):
    """Where the gradient is taken: ``theta``, or Nesterov's look-ahead ``theta + mu v``."""
    if code != RULE_NESTEROV:
        return theta
    mu = hp[HP_MOMENTUM]
    for j in range(theta.shape[0]):
        out[j] = theta[j] + mu * state[0, j]
    return out


# --- least squares -----------------------------------------------------------------------------
@njit(cache=True)
def residual(X, y, i, z):
    """``r_i = z[0] + X[i] . z[1:] - y[i]``."""
    r = z[0] - y[i]
    for j in range(X.shape[1]):
        r += X[i, j] * z[j + 1]
    return r


@njit(cache=True)
def full_gradient(X, y, z, g):
    """Write ``grad f(z) = (1/n) sum_i r_i (1, X[i])`` into ``g`` in one pass over ``X``.

    Returns the objective ``f(z) = (1/2n) sum_i r_i^2`` at the same point (free).
    """
    n, d = X.shape
    for j in range(d + 1):
        g[j] = 0.0
    loss = 0.0
    for i in range(n):
        r = residual(X, y, i, z)
        loss += r * r
        g[0] += r
        for j in range(d):
            g[j + 1] += r * X[i, j]
    for j in range(d + 1):
        g[j] /= n
    return 0.5 * loss / n


@njit(cache=True)
def objective(X, y, z):
    """``f(z) = (1/2n) sum_i r_i^2`` without allocating."""
    n = X.shape[0]
    loss = 0.0
    for i in range(n):
        r = residual(X, y, i, z)
        loss += r * r
    return 0.5 * loss / n


@njit(cache=True)
def _add_sample(X, i, coef, g):
    """``g += coef * (1, X[i])``."""
    g[0] += coef
    for j in range(X.shape[1]):
        g[j + 1] += coef * X[i, j]


# --- drivers -----------------------------------------------------------------------------------
@njit(cache=True)
def full_batch(X, y, theta, state, t, code, hp, n_steps, losses, g, z):
    """``n_steps`` full-batch steps. ``losses[k]`` receives f at the point of step k's gradient."""
    for k in range(n_steps):
        zz = eval_point(code, theta, state, hp, z)
        loss = full_gradient(X, y, zz, g)
        losses[k] = loss
        if not np.isfinite(loss):
            return t, DIVERGED
        t += 1
        rule_step(code, theta, g, state, t, hp)
    return t, OK


@njit(cache=True)
def sampled(X, y, idx, first_len, epoch_len, batch_size, n_steps, theta, state, t, code, hp, g, z):
    """Mini-batch / single-sample steps over the rows ``idx`` (concatenated epoch orders).

    Batches are consecutive runs of ``batch_size`` entries of ``idx`` that never cross an epoch
    boundary: the first epoch (the rest of one already begun) ends after ``first_len`` entries,
    every later one after ``epoch_len`` more. The gradient of a batch is the mean of the
    per-sample gradients over it. Runs ``n_steps`` batches.
    """
    p = theta.shape[0]
    start = 0
    boundary = first_len
    for _ in range(n_steps):
        if start == boundary:
            boundary += epoch_len
        stop = min(start + batch_size, boundary)
        zz = eval_point(code, theta, state, hp, z)
        for j in range(p):
            g[j] = 0.0
        for k in range(start, stop):
            i = idx[k]
            _add_sample(X, i, residual(X, y, i, zz), g)
        inv = 1.0 / (stop - start)
        for j in range(p):
            g[j] *= inv
        if not np.isfinite(g[0]):
            return t, DIVERGED
        t += 1
        rule_step(code, theta, g, state, t, hp)
        start = stop
    return t, OK


@njit(cache=True)
def sag(X, y, idx, theta, state, t, code, hp, memory, seen, dsum, n_seen, fixed_m, g, z):
    """Stochastic average gradient (Le Roux, Schmidt, Bach 2012), one step per entry of ``idx``.

    For least squares the gradient memory of row ``i`` is the scalar residual ``memory[i]``;
    ``dsum`` is the sum of the remembered gradients. The step uses ``dsum / m`` where ``m`` is the
    number of distinct rows seen so far, or ``fixed_m`` when it is positive (e.g. ``n``).
    Returns ``(t, n_seen, status)``.
    """
    p = theta.shape[0]
    for k in range(idx.shape[0]):
        i = idx[k]
        zz = eval_point(code, theta, state, hp, z)
        r = residual(X, y, i, zz)
        if not np.isfinite(r):
            return t, n_seen, DIVERGED
        _add_sample(X, i, r - memory[i], dsum)
        memory[i] = r
        if not seen[i]:
            seen[i] = True
            n_seen += 1
        m = fixed_m if fixed_m > 0 else n_seen
        for j in range(p):
            g[j] = dsum[j] / m
        t += 1
        rule_step(code, theta, g, state, t, hp)
    return t, n_seen, OK


@njit(cache=True)
def snapshot_vr(X, y, idx, lengths, picks, theta, state, t, code, hp, mu, snap, keep, g, z):
    """SVRG (Johnson & Zhang 2013) and S2GD (Konecny & Richtarik 2017) outer loops.

    Outer loop ``s``: snapshot ``snap = theta`` and its full gradient ``mu``; then ``lengths[s]``
    inner steps along ``grad f_i(theta) - grad f_i(snap) + mu`` with ``i`` the next entry of
    ``idx``. The next snapshot is the last inner iterate when ``picks[s] < 0`` (SVRG option 1,
    S2GD) or the inner iterate number ``picks[s]`` (0 = the snapshot itself; SVRG option 2).
    """
    p = theta.shape[0]
    pos = 0
    for s in range(lengths.shape[0]):
        for j in range(p):
            snap[j] = theta[j]
            keep[j] = theta[j]
        loss = full_gradient(X, y, snap, mu)
        if not np.isfinite(loss):
            return t, DIVERGED
        for k in range(lengths[s]):
            i = idx[pos]
            pos += 1
            zz = eval_point(code, theta, state, hp, z)
            dr = residual(X, y, i, zz) - residual(X, y, i, snap)
            if not np.isfinite(dr):
                return t, DIVERGED
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


@njit(cache=True)
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
        for j in range(p):
            g[j] = v[j]
        t += 1
        rule_step(code, theta, g, state, t, hp)
        if picks[s] == 1:
            for j in range(p):
                keep[j] = theta[j]
        v_sq = v0_sq
        for k in range(1, m):
            if plus and not v_sq > gamma * v0_sq:
                break
            i = idx[s * (m - 1) + k - 1]
            zz = eval_point(code, theta, state, hp, z)
            dr = residual(X, y, i, zz) - residual(X, y, i, prev)
            if not np.isfinite(dr):
                return t, DIVERGED
            _add_sample(X, i, dr, v)
            v_sq = 0.0
            for j in range(p):
                v_sq += v[j] * v[j]
                prev[j] = theta[j]
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
