"""``solve metalog ... --emit numpyro|stan|stan-prior|pymc``: the metalog as a quantile function
of a uniform, x = Q(u) with u ~ Uniform(0, 1), each program defining Keelin's quantile function
``metalog_quantile`` itself (numpyro and PyMC in Python on ``jnp`` / ``pytensor.tensor``, Stan in
its ``functions`` block), so it runs without priorcli. The one-line forms are
:func:`priorcli.records.metalog.code_lines`.
"""

from __future__ import annotations

import math

from priorcli.emit import python
from priorcli.records.metalog import Metalog

__all__ = ["program", "PYTHON_FUNCTION", "STAN_FUNCTION"]

PYTHON_FUNCTION = '''\
def metalog_quantile(u, a, lower=-math.inf, upper=math.inf):
    """Keelin's (2016) metalog quantile function with len(a) terms at u in (0, 1): M(u) = a[0]
    + a[1] L + a[2] (u - 1/2) L + a[3] (u - 1/2) + a[4] (u - 1/2)^2 + a[5] (u - 1/2)^2 L + ...,
    L = log(u / (1 - u)); x = M, lower + exp(M), upper - exp(-M), or (both bounds)
    lower + (upper - lower) / (1 + exp(-M))."""
    L = XP.log(u) - XP.log1p(-u)
    c = u - 0.5
    m = a[0] + 0.0 * u
    for j in range(2, len(a) + 1):
        if j <= 4:
            n, with_l = ((0, True), (1, True), (1, False))[j - 2]
        else:
            n, with_l = (j - 1) // 2, j % 2 == 0
        m = m + a[j - 1] * c ** n * (L if with_l else 1.0)
    if math.isinf(lower) and math.isinf(upper):
        return m
    if math.isinf(upper):
        return lower + XP.exp(m)
    if math.isinf(lower):
        return upper - XP.exp(-m)
    return lower + (upper - lower) * 0.5 * (1.0 + XP.tanh(0.5 * m))
'''

STAN_FUNCTION = '''\
  // Keelin's (2016) metalog quantile function with num_elements(a) terms at u in (0, 1); lb and ub
  // are the bounds, negative_infinity() / positive_infinity() where there is none
  real metalog_quantile(real u, vector a, real lb, real ub) {
    int k = num_elements(a);
    real L = logit(u);
    real c = u - 0.5;
    real m = a[1];
    for (j in 2:k) {
      int n;
      int with_l;
      if (j <= 3) {
        n = j - 2;
        with_l = 1;
      } else if (j == 4) {
        n = 1;
        with_l = 0;
      } else {
        n = (j - 1) %/% 2;
        with_l = (j % 2 == 0);
      }
      m += a[j] * pow(c, n) * (with_l ? L : 1.0);
    }
    if (is_inf(lb) && is_inf(ub)) {
      return m;
    }
    if (is_inf(ub)) {
      return lb + exp(m);
    }
    if (is_inf(lb)) {
      return ub - exp(-m);
    }
    return lb + (ub - lb) * inv_logit(m);
  }
'''


def _bound(value: float, python_side: bool) -> str:
    if math.isfinite(value):
        return repr(float(value))
    if python_side:
        return "-math.inf" if value < 0 else "math.inf"
    return "negative_infinity()" if value < 0 else "positive_infinity()"


def _header(metalog: Metalog, command: str, comment: str, through: str) -> list[str]:
    return [f"{comment} Written by priorcli (`{command}`) from the metalog:",
            f"{comment}   x = Q(u), u ~ Uniform(0, 1): {metalog.label(lambda v: repr(float(v)))}",
            f"{comment}   ({metalog.kind}, {metalog.k} terms{through})"]


def program(metalog: Metalog, target: str, command: str, *, through: str = "", seed: int = 0, draws: int = 10000,
            quantiles=(0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)) -> str:
    """The whole program as text; ``through`` names the quantiles it was solved from (header only)."""
    if target in ("stan", "stan-prior"):
        return _stan(metalog, target == "stan-prior", _header(metalog, command, "//", through))
    return _python(metalog, target, _header(metalog, command, "#", through), seed, draws, quantiles)


def _python(metalog: Metalog, target: str, header: list[str], seed: int, draws: int, quantiles) -> str:
    numpyro = target == "numpyro"
    imports = ["import math", "", "import numpy as np"]
    imports += ["import jax", "import jax.numpy as jnp", "import numpyro", "import numpyro.distributions as dist"] \
        if numpyro else ["import pymc as pm", "import pytensor.tensor as pt"]
    constants = [f"A = [{', '.join(repr(float(v)) for v in metalog.a)}]",
                 f"LOWER = {_bound(metalog.lower, True)}", f"UPPER = {_bound(metalog.upper, True)}"]
    function = PYTHON_FUNCTION.replace("XP.", "jnp." if numpyro else "pt.")
    if numpyro:
        model = ["def model():", '    u = numpyro.sample("u", dist.Uniform(0.0, 1.0))',
                 '    numpyro.deterministic("x", metalog_quantile(u, A, LOWER, UPPER))']
        main = ['if __name__ == "__main__":', "    numpyro.enable_x64()  # priorcli draws in float64",
                *python.constants_block(seed, draws, quantiles),
                "    prior = numpyro.infer.Predictive(model, num_samples=DRAWS)(jax.random.PRNGKey(SEED))",
                '    print_quantiles({"x": prior["x"]}, QUANTILES)']
    else:
        model = ["with pm.Model() as model:", '    u = pm.Uniform("u", 0.0, 1.0)',
                 '    x = pm.Deterministic("x", metalog_quantile(u, A, LOWER, UPPER))']
        main = ['if __name__ == "__main__":', *python.constants_block(seed, draws, quantiles),
                "    prior = pm.sample_prior_predictive(draws=DRAWS, model=model, random_seed=SEED).prior",
                '    print_quantiles({"x": prior["x"].values}, QUANTILES)']
    parts = ["\n".join([*header, "# `python THIS_FILE.py` draws the prior and prints its quantiles.", "", *imports]),
             "\n".join(constants), function.rstrip("\n"), "\n".join(model), python.PRINT_QUANTILES.rstrip("\n"),
             "\n".join(main)]
    return "\n\n\n".join(parts[:1]) + "\n\n" + "\n\n\n".join(parts[1:]) + "\n"


def _stan(metalog: Metalog, prior: bool, header: list[str]) -> str:
    data = ["transformed data {", f"  vector[{metalog.k}] a = [{', '.join(repr(float(v)) for v in metalog.a)}]';",
            f"  real lb = {_bound(metalog.lower, False)};", f"  real ub = {_bound(metalog.upper, False)};", "}"]
    if prior:
        body = ["// Every variable is drawn in generated quantities: run it with the fixed_param algorithm.",
                "generated quantities {", "  real u = uniform_rng(0, 1);", "  real x = metalog_quantile(u, a, lb, ub);",
                "}"]
    else:
        body = ["parameters {", "  real<lower=0, upper=1> u;", "}", "transformed parameters {",
                "  real x = metalog_quantile(u, a, lb, ub);", "}", "model {", "  u ~ uniform(0, 1);", "}"]
    return "\n".join([*header, "functions {", STAN_FUNCTION.rstrip("\n"), "}", *data, *body]) + "\n"


# ---------------------------------------------------------------------------------------------
# a metalog variable of a model (``x ~ Metalog(...)`` with ``sample --model ... --emit``): the same
# quantile function of a uniform, the uniform a site of its own (``x_u``) beside the model's


def is_metalog_variable(v) -> bool:
    """A plan.Variable drawn from a metalog."""
    from priorcli.stats.metalog import is_metalog

    return v.family is not None and is_metalog(v.family.name)


def of_variable(v) -> Metalog:
    from priorcli.model import parse as lang

    def const(name: str, default: float) -> float:
        return float(lang._const(v.params[name])) if name in v.params else default

    return Metalog(tuple(float(lang._const(item)) for item in v.params["a"].items), const("lower", -math.inf),
                   const("upper", math.inf))


def uniform_names(variables, taken: set[str]) -> dict[str, str]:
    """Each metalog variable's uniform: ``x_u`` (``x_u2``, ... where that is taken)."""
    from priorcli.emit import plan

    return {v.name: plan.fresh_name(f"{v.name}_u", taken) for v in variables if v.random and is_metalog_variable(v)}


def python_function(numpyro: bool) -> str:
    """``metalog_quantile`` on jnp (numpyro) or pytensor.tensor (PyMC); the program imports math."""
    return PYTHON_FUNCTION.replace("XP.", "jnp." if numpyro else "pt.")


def python_call(v, u: str) -> str:
    """``metalog_quantile(U, [a...], lower=L)``: the bounds as keywords, where there are any."""
    m = of_variable(v)
    bounds = "".join(f", {n}={float(b)!r}" for n, b in (("lower", m.lower), ("upper", m.upper)) if math.isfinite(b))
    return f"metalog_quantile({u}, [{', '.join(repr(float(a)) for a in m.a)}]{bounds})"


def numpyro_site(v, u: str) -> str:
    """The right-hand side of ``x = ...`` in numpyro's ``def model()``: Q of a uniform site."""
    return (f'numpyro.deterministic("{v.name}", '
            f'{python_call(v, f"numpyro.sample({u!r}, dist.Uniform(0.0, 1.0))")})').replace("'", '"')


def pymc_lines(v, py: str, u: str, u_py: str) -> list[str]:
    return [f'{u_py} = pm.Uniform("{u}", 0.0, 1.0)', f'{py} = pm.Deterministic("{v.name}", {python_call(v, u_py)})']


def stan_sampled(program, v, name: str, u: str) -> None:
    """Declare the uniform ``u`` and define ``name`` as metalog_quantile of it (``program`` is
    stan.py's _Program): a parameter with ``u ~ uniform(0, 1)`` and a transformed parameter, or
    (stan-prior) both drawn in generated quantities."""
    m = of_variable(v)
    import textwrap

    function = textwrap.dedent(STAN_FUNCTION)
    if function not in program.functions:
        program.functions.append(function)
    a = f"[{', '.join(repr(float(x)) for x in m.a)}]'"
    call = f"metalog_quantile({u}, {a}, {_bound(m.lower, False)}, {_bound(m.upper, False)})"
    if program.prior:
        program.generated += [f"real {u} = uniform_rng(0, 1);", f"real {name} = {call};"]
        return
    program.parameters.append(f"real<lower=0, upper=1> {u};")
    program.transformed.append(f"real {name} = {call};")
    program.model.append(f"{u} ~ uniform(0, 1);")
    # a later parameter's bound may use the variable (Uniform(0, x)): bounds in Stan's parameters
    # block see parameters only, so it is written out there as the call on its uniform (a name
    # that the printer writes verbatim, as stan.py's inline transformed parameters are)
    from priorcli.model import parse as lang

    program.inline[v.name] = lang.Name(call)
