"""Evaluating the model language on numpy float64 arrays: expressions, distribution arguments and
whole models run ancestrally (``run_model``), plus the constant folding the parser uses."""

from __future__ import annotations

from typing import Callable, Mapping, Union

import numpy as np

from priorcli.errors import PriorError, UsageError
from priorcli.model.tree import (
    REDUCTIONS, Binary, Call, DataItem, DistExpr, Expr, Model, Name, Num, Statement, Unary, Vector, _clip,
    vector_size,
)

#: the most values one vector variable may hold (draws x elements): 2^24 float64, 128 MiB
MAX_MODEL_VALUES = 1 << 24

# ---------------------------------------------------------------------------------------------
# evaluation (numpy float64)


def _softplus(x):
    return np.logaddexp(0.0, x)


def _math_impl(name: str) -> Callable:
    if name in ("sigmoid", "logit", "probit", "inv_probit"):
        import scipy.special as sp  # lazy: only needed when used

        return {"sigmoid": sp.expit, "logit": sp.logit, "probit": sp.ndtri, "inv_probit": sp.ndtr}[name]
    return {
        "log": np.log,
        "exp": np.exp,
        "sqrt": np.sqrt,
        "log1p": np.log1p,
        "expm1": np.expm1,
        "softplus": _softplus,
        "abs": np.abs,
        "minimum": np.minimum,
        "maximum": np.maximum,
    }[name]


def _comparison(func: Callable) -> Callable:
    return lambda a, b: func(a, b).astype(np.float64)


_BINARY_FUNCS: dict[str, Callable] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.true_divide,
    "**": np.power,
    "<": _comparison(np.less),
    "<=": _comparison(np.less_equal),
    ">": _comparison(np.greater),
    ">=": _comparison(np.greater_equal),
    "==": _comparison(np.equal),
    "!=": _comparison(np.not_equal),
}


def _reduce(name: str, value: np.ndarray, args: tuple[Expr, ...]) -> np.ndarray:
    """A reduction over the elements (the last axis): a constant vector (K,) gives a number, a
    per-draw vector (n, K) a per-draw number (n, 1)."""
    keep = value.ndim == 2
    if name == "quantile":
        return np.quantile(value, float(args[1].value), axis=-1, keepdims=keep)  # numpy's 'linear'
    func = {"mean": np.mean, "min": np.min, "max": np.max, "sum": np.sum, "count": np.sum}[name] \
        if name != "sd" else (lambda v, **kw: np.std(v, ddof=1, **kw))
    return func(value, axis=-1, keepdims=keep)


def _eval(expr: Expr, env: Mapping[str, np.ndarray]) -> np.ndarray:
    """The value in lifted form: a number is 0-d, a constant vector (K,), a per-draw number (n, 1)
    and a per-draw vector (n, K), so that numpy's broadcasting gives one vector per draw."""
    if isinstance(expr, Num):
        return np.float64(expr.value)
    if isinstance(expr, Name):
        try:
            value = env[expr.id]
        except KeyError:
            raise UsageError(f"unknown name '{expr.id}'") from None
        value = np.asarray(value, dtype=np.float64)
        return value[:, None] if value.ndim == 1 else value
    if isinstance(expr, Unary):
        v = _eval(expr.operand, env)
        return np.negative(v) if expr.op == "-" else v
    if isinstance(expr, Binary):
        return _broadcasting(_BINARY_FUNCS[expr.op], _eval(expr.left, env), _eval(expr.right, env))
    if isinstance(expr, Call):
        if expr.func in REDUCTIONS:
            return _reduce(expr.func, np.asarray(_eval(expr.args[0], env), dtype=np.float64), expr.args)
        args = [_eval(a, env) for a in expr.args]
        if expr.func == "probit":
            _check_probit_argument(args[0])
        return _broadcasting(_math_impl(expr.func), *args)
    if isinstance(expr, Vector):
        items = [np.asarray(_eval(a, env), dtype=np.float64) for a in expr.items]
        if all(item.ndim == 0 for item in items):
            return np.array([float(item) for item in items])
        n = max(item.shape[0] for item in items if item.ndim == 2)
        return np.concatenate([np.broadcast_to(item.reshape(-1, 1), (n, 1)) for item in items], axis=1)
    raise TypeError(f"not a numeric expression: {expr!r}")


def _check_probit_argument(value: np.ndarray) -> None:
    """probit is Phi^-1 on (0, 1); it was once Phi: a value off [0, 1] is refused, pointing to
    inv_probit, rather than quietly giving NaN to a model written for the old meaning."""
    outside = (value < 0) | (value > 1)
    if np.any(outside):
        bad = float(np.asarray(value)[outside].flat[0])
        raise UsageError(f"probit(x) is Phi^-1 and takes x in (0, 1), got {bad:g}; "
                         "for the normal CDF Phi write inv_probit(x) (alias Phi(x))")


def _broadcasting(func: Callable, *values: np.ndarray) -> np.ndarray:
    try:
        return func(*values)
    except ValueError as exc:  # the parser checks lengths; values given from outside may not match
        shapes = " and ".join(str(np.shape(v)[-1:]) for v in values)
        raise UsageError(f"vectors of different lengths meet ({shapes})") from exc


def evaluate(expr: Expr, env: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    """Evaluate a numeric expression on float64 arrays (overflow gives inf, never an exception).

    ``env`` holds numbers (0-d), per-draw numbers (shape (n,)) and per-draw vectors (n, K). The
    result is 0-d for a constant number, (K,) for a constant vector, (n,) for a number that varies
    across draws and (n, K) for a vector that does (a draw of kappa times [1, 2, 3] is one vector
    per draw: memory n * K, never n * n).
    """
    env = env or {}
    with np.errstate(all="ignore"):
        value = np.asarray(_eval(expr, env), dtype=np.float64)
    if value.ndim == 2:
        sizes = {k: np.shape(v)[1] for k, v in env.items() if np.ndim(v) == 2}
        if vector_size(expr, sizes) is None:
            value = value[:, 0]
    return value


Value = Union[float, np.ndarray]


def _value(expr: Expr, env: Mapping[str, np.ndarray], n: int | None) -> Value:
    """A float for a constant number; else an array: (n,) for a number per draw and (n, K) for a
    vector when ``n`` is given (a constant vector is repeated per draw), (K,) for a constant vector
    without ``n``."""
    v = evaluate(expr, env)
    if v.ndim == 0:
        return float(v)
    if n is None:
        return v
    is_vector = v.ndim == 2 or vector_size(expr, {k: np.shape(x)[1] for k, x in env.items() if np.ndim(x) == 2})
    shape = (n, v.shape[-1]) if is_vector else (n,)
    return v if v.shape == shape else np.broadcast_to(v, shape).copy()


def evaluate_distribution(
    dexpr: DistExpr, env: Mapping[str, np.ndarray] | None = None, n: int | None = None
) -> tuple[tuple[Value, ...], dict[str, Value], tuple[tuple[str, tuple[Value, ...]], ...]]:
    """Evaluate a distribution's arguments: ``(args, kwargs, transforms)``.

    Each value is a float when it is a constant number, else an array (see :func:`_value`: with
    ``n``, shape ``(n,)`` for a number per draw and ``(n, K)`` for a vector).
    """
    env = env or {}
    args = tuple(_value(a, env, n) for a in dexpr.args)
    if dexpr.components:  # a Mixture: (weights, ((family, args, kwargs, transforms), ...))
        args += (tuple((c.family,) + evaluate_distribution(c, env, n) for c in dexpr.components),)
    kwargs = {k: _value(v, env, n) for k, v in dexpr.kwargs}
    transforms = tuple((t, tuple(_value(a, env, n) for a in targs)) for t, targs in dexpr.transforms)
    return args, kwargs, transforms


#: sample_fn(statement, family, args, kwargs, transforms) -> array of shape (n,)
SampleFn = Callable[
    [Statement, str, tuple, dict, tuple],
    np.ndarray,
]


def _with_line(exc: PriorError, statement: Statement) -> PriorError:
    msg = str(exc)
    if msg.startswith("line "):
        return exc
    try:
        new = type(exc)(f"line {statement.line}: {msg} in '{_clip(statement.text)}'")
    except Exception:  # pragma: no cover - exotic constructor
        return exc
    return new


def data_env(data: tuple[DataItem, ...]) -> dict[str, np.ndarray]:
    """Data in the lifted form of :func:`_eval`: a number 0-d, a vector (1, K), the same for every draw."""
    return {d.name: np.asarray(d.values, dtype=np.float64).reshape(1, -1) if d.vector
            else np.float64(d.values[0]) for d in data}


def check_budget(statement: Statement, n: int) -> None:
    """A vector variable holds n x K values: at most MAX_MODEL_VALUES."""
    if statement.size is not None and n * statement.size > MAX_MODEL_VALUES:
        raise UsageError(
            f"line {statement.line}: '{statement.name}' has {statement.size} elements, so -n/--draws {n} is "
            f"{n * statement.size} values, more than the {MAX_MODEL_VALUES} a vector variable may hold; use -n "
            f"{max(1, MAX_MODEL_VALUES // statement.size)} or fewer")


def run_model(model: Model, n: int, sample_fn: SampleFn) -> dict[str, np.ndarray]:
    """Run the model ancestrally, ``n`` draws per variable, in statement order.

    For each ``~`` statement calls ``sample_fn(statement, family, args, kwargs, transforms)``
    (values from :func:`evaluate_distribution`) and expects an array of shape ``(n,)``, or
    ``(n, K)`` for a vector variable (``statement.size``); for each ``=`` statement evaluates the
    expression and broadcasts it to that shape.  A PriorError raised
    by ``sample_fn`` without a line number gets ``line N: ... in 'STATEMENT'`` added.
    Returns ``{name: float64 array of shape (n,) or (n, K)}`` in definition order.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise UsageError(f"the number of draws must be a positive integer, got {n!r}")
    n = int(n)
    for s in model.statements:
        check_budget(s, n)
    env: dict[str, np.ndarray] = data_env(model.data)
    for s in model.statements:
        try:
            env[s.name] = _run_statement(s, env, n, sample_fn)
        except PriorError as exc:
            new = _with_line(exc, s)
            if new is exc:
                raise
            raise new from exc
    return {s.name: env[s.name] for s in model.statements}


def _run_statement(s: Statement, env: dict[str, np.ndarray], n: int, sample_fn: SampleFn) -> np.ndarray:
    if s.kind == "=":
        value = evaluate(s.expr, env)
        shape = (n,) if s.size is None else (n, value.shape[-1])
        return np.broadcast_to(value, shape).astype(np.float64, copy=True)
    assert isinstance(s.expr, DistExpr)
    args, kwargs, transforms = evaluate_distribution(s.expr, env, n)
    draws = np.asarray(sample_fn(s, s.expr.family, args, kwargs, transforms), dtype=np.float64)
    expected = (n,) if s.size is None else (n, s.size)
    if draws.shape != expected:
        raise ValueError(f"sample_fn returned shape {draws.shape} for '{s.name}', expected {expected}")
    return draws


def _const(expr: Expr) -> float | None:
    """The value of an expression made only of numbers, else None (depth is bounded)."""
    if isinstance(expr, Num):
        return expr.value
    if isinstance(expr, Name):
        return None
    if isinstance(expr, Unary):
        v = _const(expr.operand)
        return None if v is None else (-v if expr.op == "-" else v)
    if isinstance(expr, Binary):
        a, b = _const(expr.left), _const(expr.right)
        if a is None or b is None:
            return None
        return float(_BINARY_FUNCS[expr.op](np.float64(a), np.float64(b)))
    if isinstance(expr, Vector):
        return None
    if isinstance(expr, Call):
        if expr.func in REDUCTIONS:
            return None
        vals = [_const(a) for a in expr.args]
        if any(v is None for v in vals):
            return None
        if expr.func == "probit":
            _check_probit_argument(np.float64(vals[0]))
        return float(_math_impl(expr.func)(*(np.float64(v) for v in vals)))
    raise TypeError(f"not an expression: {expr!r}")  # pragma: no cover

