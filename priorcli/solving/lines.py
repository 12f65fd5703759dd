"""A solved distribution as code lines: numpyro's ``dist.Family(...)`` and Stan's sampling
statement argument."""

from __future__ import annotations

from priorcli.solving.result import format_number, show

__all__ = ["code_lines"]

_STAN = {
    # family: (stan name, argument list: native names or literal numbers)
    "Normal": ("normal", ("loc", "scale")),
    "LogNormal": ("lognormal", ("loc", "scale")),
    "Gamma": ("gamma", ("concentration", "rate")),
    "Beta": ("beta", ("concentration1", "concentration0")),
    "BetaProportion": ("beta_proportion", ("mean", "concentration")),
    "StudentT": ("student_t", ("df", "loc", "scale")),
    "InverseGamma": ("inv_gamma", ("concentration", "rate")),
    "HalfCauchy": ("cauchy", (0.0, "scale")),
    "HalfNormal": ("normal", (0.0, "scale")),
    "Exponential": ("exponential", ("rate",)),
    "Weibull": ("weibull", ("concentration", "scale")),
    "Pareto": ("pareto", ("scale", "alpha")),
    "Cauchy": ("cauchy", ("loc", "scale")),
    "Laplace": ("double_exponential", ("loc", "scale")),
    "Logistic": ("logistic", ("loc", "scale")),
    "Gumbel": ("gumbel", ("loc", "scale")),
    "Uniform": ("uniform", ("low", "high")),
    "Chi2": ("chi_square", ("df",)),
}


def code_lines(family: str, params: dict) -> tuple[str, str | None, tuple[str, ...]]:
    """(numpyro line, Stan line or None, notes about the Stan line)."""
    if family == "Dirichlet":
        conc = params["concentration"]
        inner = ", ".join(format_number(v) for v in conc)
        return (
            f"dist.Dirichlet(concentration=jnp.array([{inner}]))",
            f"dirichlet([{inner}]')",
            (),
        )
    args = ", ".join(f"{k}={format_number(v)}" for k, v in params.items())
    numpyro = f"dist.{family}({args})"
    spec = _STAN.get(family)
    if spec is None:
        return numpyro, None, ()
    name, order = spec
    vals = [format_number(params[a]) if isinstance(a, str) else show(a) for a in order]
    notes = ()
    if family in ("HalfCauchy", "HalfNormal"):
        notes = ("Stan: declare the parameter with <lower=0> to get the half distribution",)
    return numpyro, f"{name}({', '.join(vals)})", notes

