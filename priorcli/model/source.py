"""The model language as numpyro source: expressions, transforms and a whole ``def model()``."""

from __future__ import annotations

from typing import Callable, Mapping

from priorcli.errors import PriorError
from priorcli.model.evaluate import _const, _with_line
from priorcli.model.tree import (
    REDUCTIONS, Binary, Call, DistExpr, Expr, Model, Name, Num, Statement, Unary, Vector,
)

# ---------------------------------------------------------------------------------------------
# numpyro source

_JAX_FUNCS = {
    "log": "jnp.log",
    "exp": "jnp.exp",
    "sqrt": "jnp.sqrt",
    "log1p": "jnp.log1p",
    "expm1": "jnp.expm1",
    "softplus": "jax.nn.softplus",
    "sigmoid": "jax.nn.sigmoid",
    "logit": "jax.scipy.special.logit",
    "probit": "jax.scipy.special.ndtri",
    "inv_probit": "jax.scipy.special.ndtr",
    "abs": "jnp.abs",
    "minimum": "jnp.minimum",
    "maximum": "jnp.maximum",
}

_JAX_REDUCTIONS = {
    "mean": "jnp.mean({})",
    "sd": "jnp.std({}, ddof=1)",
    "min": "jnp.min({})",
    "max": "jnp.max({})",
    "sum": "jnp.sum({})",
    "count": "jnp.sum({})",
    "quantile": "jnp.quantile({}, {})",  # numpy's 'linear', as priorcli's
}
_COMPARISONS = frozenset({"<", "<=", ">", ">=", "==", "!="})

_PREC_ADD, _PREC_MUL, _PREC_UNARY, _PREC_POW, _PREC_ATOM = 1, 2, 3, 4, 5
_PREC = {"+": _PREC_ADD, "-": _PREC_ADD, "*": _PREC_MUL, "/": _PREC_MUL, "**": _PREC_POW}


def _src(expr: Expr, names: Mapping[str, str]) -> tuple[str, int]:
    if isinstance(expr, Num):
        if expr.symbol:
            return f"jnp.{expr.symbol}", _PREC_ATOM
        return repr(float(expr.value)), _PREC_ATOM
    if isinstance(expr, Name):
        return names.get(expr.id, expr.id), _PREC_ATOM
    if isinstance(expr, Call):
        if expr.func in REDUCTIONS:
            return _JAX_REDUCTIONS[expr.func].format(*(_src(a, names)[0] for a in expr.args)), _PREC_ATOM
        inner = ", ".join(_src(a, names)[0] for a in expr.args)
        return f"{_JAX_FUNCS[expr.func]}({inner})", _PREC_ATOM
    if isinstance(expr, Vector):  # numpyro runs the model once per draw: the items are numbers
        return f"jnp.array([{', '.join(_src(a, names)[0] for a in expr.items)}])", _PREC_ATOM
    if isinstance(expr, Unary):
        text, p = _src(expr.operand, names)
        if p < _PREC_UNARY or isinstance(expr.operand, Unary):
            text = f"({text})"
        return f"{expr.op}{text}", _PREC_UNARY
    if isinstance(expr, Binary) and expr.op in _COMPARISONS:  # 0/1 as in the model language, not True/False
        return f"jnp.where({_src(expr.left, names)[0]} {expr.op} {_src(expr.right, names)[0]}, 1.0, 0.0)", _PREC_ATOM
    if isinstance(expr, Binary):
        prec = _PREC[expr.op]
        lt, lp = _src(expr.left, names)
        rt, rp = _src(expr.right, names)
        if expr.op == "**":  # right-associative, binds tighter than unary minus on its left
            if lp <= _PREC_POW:
                lt = f"({lt})"
            if rp < _PREC_UNARY:
                rt = f"({rt})"
        else:
            if lp < prec:
                lt = f"({lt})"
            if rp <= prec:
                rt = f"({rt})"
        return f"{lt} {expr.op} {rt}", prec
    raise TypeError(f"not a numeric expression: {expr!r}")


def expr_to_source(expr: Expr, names: Mapping[str, str] | None = None) -> str:
    """Python/jax source for a numeric expression; ``names`` renames variables (model -> Python)."""
    return _src(expr, names or {})[0]


def transforms_to_source(
    transforms: tuple[tuple[str, tuple[Expr, ...]], ...], names: Mapping[str, str] | None = None
) -> list[str]:
    """numpyro transform constructors, innermost first (``probit`` and ``inv_probit`` need
    ``InvProbitTransform``; a recipe step ending in ``.inv`` is the transform's inverse)."""
    from priorcli.families.transforms import recipe

    def subtract(x: Expr, y: Expr) -> Expr:
        cx, cy = _const(x), _const(y)
        return Num(float(cx - cy)) if cx is not None and cy is not None else Binary("-", x, y)

    def arg_source(value) -> str:
        return repr(float(value)) if isinstance(value, (int, float)) else expr_to_source(value, names)

    out: list[str] = []
    for name, targs in transforms:
        for cls, cargs in recipe(name, targs, subtract):
            base, inverse = cls.removesuffix(".inv"), cls.endswith(".inv")
            prefix = "" if base == "InvProbitTransform" else "dist.transforms."
            out.append(f"{prefix}{base}({', '.join(arg_source(a) for a in cargs)}){'.inv' if inverse else ''}")
    return out


def distribution_to_source(
    dexpr: DistExpr, base_source: str, names: Mapping[str, str] | None = None
) -> str:
    """Wrap ``base_source`` (``dist.X(...)``) in a TransformedDistribution for dexpr's transforms."""
    if not dexpr.transforms:
        return base_source
    ts = ", ".join(transforms_to_source(dexpr.transforms, names))
    return f"dist.TransformedDistribution({base_source}, [{ts}])"


PROBIT_TRANSFORM_SOURCE = '''\
class InvProbitTransform(dist.transforms.ParameterFreeTransform):
    """y = Phi(x), the standard normal CDF (inv_probit); its .inv is probit, Phi^-1."""

    domain = dist.constraints.real
    codomain = dist.constraints.unit_interval
    sign = 1

    def __call__(self, x):
        return jax.scipy.special.ndtr(x)

    def _inverse(self, y):
        return jax.scipy.special.ndtri(y)

    def log_abs_det_jacobian(self, x, y, intermediates=None):
        return jax.scipy.stats.norm.logpdf(x)
'''

_SNIPPET_GLOBALS = frozenset({"jax", "jnp", "numpyro", "dist", "model", "InvProbitTransform", "math",
                              "metalog_quantile"})

#: dist_source(statement, dist_expr, names) -> "dist.X(...)" for the untransformed distribution
DistSourceFn = Callable[[Statement, DistExpr, Mapping[str, str]], str]


def python_locals(names, taken_globals) -> dict[str, str]:
    """Model variable -> Python name in an emitted file: the same name unless it would shadow one of
    the file's own names or a builtin, or is a keyword (then a trailing '_' is added). The framework's
    variable (numpyro site, PyMC name) always keeps the model's name."""
    import builtins
    import keyword

    taken = set(names) | set(taken_globals)
    avoid = set(taken_globals) | set(dir(builtins)) | set(keyword.kwlist)
    out = {}
    for name in names:
        local = name
        if local in avoid:
            local = name + "_"
            while local in taken:
                local += "_"
            taken.add(local)
        out[name] = local
    return out


def python_names(model: Model) -> dict[str, str]:
    """Model variable -> Python local name in the emitted numpyro snippet (see :func:`python_locals`)."""
    return python_locals(model.data_names + model.names, _SNIPPET_GLOBALS)


def to_numpyro_source(model: Model, dist_source: DistSourceFn, site_source: Callable | None = None) -> str:
    """A self-contained Python snippet defining ``model()`` with numpyro (``model(x, ...)`` with the
    model's data as arguments).

    ``dist_source(statement, dist_expr, names)`` returns the ``dist.X(...)`` text of the
    untransformed distribution (native keyword names, targets solved); render numeric arguments
    with ``expr_to_source(expr, names)``.  Transforms are added here. ``site_source(statement)``, when
    given, may return a '~' statement's whole right-hand side instead (a metalog's
    ``numpyro.deterministic(..., metalog_quantile(numpyro.sample(...), ...))``), or None.
    """
    names = python_names(model)
    body: list[str] = []
    uses_probit = False
    for s in model.statements:
        py = names[s.name]
        site = site_source(s) if site_source is not None and s.kind == "~" else None
        if site is not None:
            body.append(f"    {py} = {site}")
        elif s.kind == "~":
            assert isinstance(s.expr, DistExpr)
            try:
                base = dist_source(s, s.expr, names)
            except PriorError as exc:
                new = _with_line(exc, s)
                if new is exc:
                    raise
                raise new from exc
            uses_probit |= any(t in ("probit", "inv_probit") for t, _ in s.expr.transforms)
            d = distribution_to_source(s.expr, base, names)
            body.append(f'    {py} = numpyro.sample("{s.name}", {d})')
        else:
            value = expr_to_source(s.expr, names)
            body.append(f'    {py} = numpyro.deterministic("{s.name}", {value})')
    header = [
        "import jax",
        "import jax.numpy as jnp",
        "import jax.scipy.special",
        "import jax.scipy.stats",
        "import numpyro",
        "import numpyro.distributions as dist",
        "",
    ]
    if uses_probit:
        header += ["", PROBIT_TRANSFORM_SOURCE]
    header += ["", f"def model({', '.join(names[n] for n in model.data_names)}):"]
    return "\n".join(header + body + [""])
