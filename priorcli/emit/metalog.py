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


# ---------------------------------------------------------------------------------------------
# a metalog as a Mixture component (``Mixture([...], [Metalog(...), ...])``): a density is needed
# (Stan's log_mix, PyMC's pm.Mixture), so the programs define it: F(x) by bisection in t = logit F(x)
# (120 halvings of [-745, 745], as priorcli.dists.metalog), then one Newton step, whose derivative
# in x is 1 / Q'(t), so that the log density's gradient in x is right for NUTS; log f = log y (1 - y)
# - log dQ/dt. numpyro's program uses priorcli's Metalog class itself (priorcli.emit.numpyro).

STAN_DENSITY = '''\
  // (Q(t), log dQ/dt, log y (1 - y)) of Keelin's metalog at t = logit(y) (bounds as in metalog_quantile)
  vector metalog_at(real t, vector a, real lb, real ub) {
    int k = num_elements(a);
    real c = 0.5 * tanh(0.5 * t);
    real log_w = -log1p_exp(t) - log1p_exp(-t);
    real w = exp(log_w);
    real m = 0;
    real h = 0;
    for (j in 1:k) {
      int n = j <= 2 ? 0 : (j <= 4 ? 1 : (j - 1) %/% 2);
      int with_l = (j == 2 || j == 3 || (j > 4 && j % 2 == 0));
      real power = n == 0 ? 1.0 : pow(c, n);
      real slope = n == 0 ? 0.0 : n * pow(c, n - 1) * w;
      m += a[j] * (with_l ? power * t : power);
      h += a[j] * (with_l ? slope * t + power : slope);
    }
    if (is_inf(lb) && is_inf(ub)) {
      return [m, log(h), log_w]';
    }
    if (is_inf(ub)) {
      return [lb + exp(m), log(h) + m, log_w]';
    }
    if (is_inf(lb)) {
      return [ub - exp(-m), log(h) - m, log_w]';
    }
    return [lb + (ub - lb) * inv_logit(m), log(h) + log(ub - lb) - log1p_exp(m) - log1p_exp(-m), log_w]';
  }
  // Keelin's metalog log density at x: F(x) by bisection in t = logit F(x), then one Newton step
  // (its derivative in x is 1 / Q'(t), so the gradient is right); log f(x) = log y (1 - y) - log dQ/dt
  real metalog_lpdf(real x, vector a, real lb, real ub) {
    if (x <= lb || x >= ub) {
      return negative_infinity();
    }
    real lo = -745;
    real hi = 745;
    for (i in 1:120) {
      real mid = 0.5 * (lo + hi);
      if (metalog_at(mid, a, lb, ub)[1] < x) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    vector[3] q = metalog_at(0.5 * (lo + hi), a, lb, ub);
    real t = 0.5 * (lo + hi) + (x - q[1]) / exp(q[2]);
    q = metalog_at(t, a, lb, ub);
    return q[3] - q[2];
  }
'''

PYMC_DENSITY = '''\
def metalog_logp(value, a, lower=-math.inf, upper=math.inf):
    """Keelin's metalog log density at value (a: the coefficients, numbers): F by bisection in
    t = logit F, then one Newton step, whose derivative in value is 1 / Q'(t) (the gradient is
    right); log f = log y (1 - y) - log dQ/dt."""
    def at(t):  # (Q(t), log dQ/dt, log y (1 - y)) at t = logit(y)
        c = 0.5 * pt.tanh(0.5 * t)
        log_w = -pt.softplus(t) - pt.softplus(-t)
        m, h = 0.0, 0.0
        for j in range(1, len(a) + 1):
            n = 0 if j <= 2 else (1 if j <= 4 else (j - 1) // 2)
            with_l = j in (2, 3) or (j > 4 and j % 2 == 0)
            power = c ** n if n else 1.0
            slope = n * c ** (n - 1) * pt.exp(log_w) if n else 0.0
            m = m + a[j - 1] * (power * t if with_l else power)
            h = h + a[j - 1] * (slope * t + power if with_l else slope)
        if math.isinf(lower) and math.isinf(upper):
            return m, pt.log(h), log_w
        if math.isinf(upper):
            return lower + pt.exp(m), pt.log(h) + m, log_w
        if math.isinf(lower):
            return upper - pt.exp(-m), pt.log(h) - m, log_w
        return (lower + (upper - lower) * pt.sigmoid(m),
                pt.log(h) + math.log(upper - lower) - pt.softplus(m) - pt.softplus(-m), log_w)

    inside = (value > lower) & (value < upper)
    x = pt.switch(inside, value, (lower if math.isfinite(lower) else upper - 1.0) + 0.5
                  if math.isinf(upper) or math.isinf(lower) else 0.5 * (lower + upper))
    lo, hi = pt.full_like(x, -745.0), pt.full_like(x, 745.0)
    for _ in range(120):
        mid = 0.5 * (lo + hi)
        below = at(mid)[0] < x
        lo, hi = pt.switch(below, mid, lo), pt.switch(below, hi, mid)
    t0 = pytensor.gradient.disconnected_grad(0.5 * (lo + hi))
    q, log_dq, _ = at(t0)
    t = t0 + (x - q) / pt.exp(log_dq)
    _, log_dq, log_w = at(t)
    return pt.switch(inside, log_w - log_dq, -np.inf)
'''


def stan_bounds(v) -> tuple[str, str]:
    m = of_variable(v)
    return _bound(m.lower, False), _bound(m.upper, False)


class StanComponent:
    """A metalog component for priorcli.emit.mixture's Stan writer: the functions it needs, its
    log density at ``name`` and its draw (metalog_quantile of a uniform)."""

    half = False
    entry = None

    def __init__(self, program, v):
        import textwrap

        m = of_variable(v)
        if textwrap.dedent(STAN_FUNCTION) not in program.functions:  # as a metalog variable adds it
            program.functions.append(textwrap.dedent(STAN_FUNCTION))
        self.functions = textwrap.dedent(STAN_DENSITY)
        self.args = f"[{', '.join(repr(float(x)) for x in m.a)}]', {_bound(m.lower, False)}, {_bound(m.upper, False)}"

    def lpdf(self, name: str) -> str:
        return f"metalog_lpdf({name} | {self.args})"

    def draw(self) -> str:
        return f"metalog_quantile(uniform_rng(0, 1), {self.args})"


def pymc_component(v) -> str:
    """``pm.CustomDist.dist(...)`` of the metalog: its density (metalog_logp) and its draws
    (metalog_quantile_np of numpy's uniform); the coefficients are constants of the program."""
    m = of_variable(v)
    a = f"[{', '.join(repr(float(x)) for x in m.a)}]"
    bounds = "".join(f", {n}={float(b)!r}" for n, b in (("lower", m.lower), ("upper", m.upper)) if math.isfinite(b))
    return (f"pm.CustomDist.dist(logp=lambda value: metalog_logp(value, {a}{bounds}), "
            f"random=lambda rng=None, size=None: metalog_quantile_np(rng.uniform(size=size), {a}{bounds}), "
            f"class_name=\"Metalog\")")


def pymc_functions() -> str:
    """metalog_quantile_np (numpy, for the draws) and metalog_logp (pytensor), for a component."""
    numpy_quantile = PYTHON_FUNCTION.replace("def metalog_quantile(", "def metalog_quantile_np(").replace("XP.", "np.")
    return numpy_quantile + "\n\n" + PYMC_DENSITY
