"""Each numpyro family's counterpart in Stan and in PyMC: one data table, keyed by numpyro name.

This is the only place that knows how a family is spelled and parameterised in the other
frameworks; the emitters (``priorcli.emit``) and ``solve``'s code lines read it.

Arguments are written as expressions of the model language (``priorcli.model.parse``) over numpyro's
parameter names, so one entry serves every emitter and the solve line alike: ``"scale"``, ``"0"``,
``"1 / scale"``, ``"sigmoid(logits)"``. A family missing here (or a framework missing in its
entry) has no counterpart: the emitters refuse it with an error naming the variable and family.

Stan entries, ``Stan(name, args, ...)``:

- ``name``: the distribution, as in ``x ~ name(args)``, ``name_lpdf`` and ``name_rng``.
- ``args``: Stan's arguments, in Stan's order.
- ``half``: numpyro's family is the Stan family folded at zero (HalfCauchy, HalfNormal): the
  parameter is declared ``<lower=0>`` and draws are ``abs(name_rng(...))``.
- ``rng``: ``(name, args)`` to draw with when Stan has no ``name_rng``.
- ``wrap``: a circular family (VonMises): numpyro's draws are on [-pi, pi), Stan's ``name_rng``
  on [loc - pi, loc + pi], so draws are wrapped onto [-pi, pi) (``x - 2 pi floor((x + pi) / 2 pi)``);
  the density is periodic, so the parameter declared on numpyro's [-pi, pi] needs nothing.
- ``ints``: positions (in ``args``) that Stan takes as ``int``.
- ``matrix``, ``rng_ints``: a matrix family's Stan type (``cholesky_factor_corr``, declared
  ``[K]`` with K its ``dimension``) and the ``ints`` of its ``rng`` arguments (``lkj_corr_rng(K, eta)``).
- ``functions``: Stan source of the user-defined ``name_lpdf``/``name_rng`` a family Stan lacks
  needs (Triangular's), written once into the program's ``functions`` block.
- ``cdf``: the drawn family (``rng``'s, else ``name``) has Stan's ``_lcdf`` and ``_lccdf``, which
  a truncated draw inverts (``truncated_stan``); False (Triangular, the hurdles' user-defined
  functions): a truncated draw is by rejection, bounded, stopping the run with a message.
- ``mirror``: symmetric about its first argument, with a precise ``_lcdf`` only (the normal), so a
  truncation above the centre is inverted as its mirror image.

PyMC entries, ``PyMC(name, kwargs)``: ``pm.name("x", keyword=value, ...)``; ``lines`` replace that
statement where PyMC builds the value in steps (LKJ: ``pm.LKJCorr(..., return_matrix=True)``, and
for LKJCholesky its Cholesky factor, PyMC having no distribution on correlation Cholesky factors:
``pm.LKJCholeskyCov`` is a covariance's, with a prior on the standard deviations).

The supports (Stan's ``<lower=..., upper=...>``) are not here: they are read from numpyro's own
``support`` of each family.
"""

from __future__ import annotations

from dataclasses import dataclass

from priorcli.emit import zero_stan


@dataclass(frozen=True)
class Stan:
    name: str
    args: tuple[str, ...]
    half: bool = False
    rng: tuple[str, tuple[str, ...]] | None = None
    ints: tuple[int, ...] = ()
    functions: str = ""
    matrix: str = ""  # a matrix family's Stan type, declared [K] (cholesky_factor_corr); drawn as matrix[K, K]
    rng_ints: tuple[int, ...] | None = None  # ``ints`` of the rng's arguments, where they differ
    wrap: bool = False  # circular: draws wrapped onto numpyro's [-pi, pi)
    cdf: bool = True  # Stan has the drawn family's _lcdf/_lccdf (a truncated draw inverts them)
    mirror: bool = False  # symmetric about its first argument: an upper tail inverted by the lcdf


@dataclass(frozen=True)
class PyMC:
    name: str
    kwargs: tuple[tuple[str, str], ...]
    # statements instead of ``py = pm.name("x", kwargs)``, formatted with py (the Python name), name,
    # raw (a fresh NAME_corr) and kwargs: LKJ's matrix from pm.LKJCorr's packed draws
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Counterparts:
    stan: Stan | None = None
    pymc: PyMC | None = None


def _pymc(name: str, **kwargs: str) -> PyMC:
    return PyMC(name, tuple(kwargs.items()))


# Stan has no triangular distribution: user-defined functions (Stan reserves `lower` and `upper`,
# hence a, c, b), the density as PyMC's and PreliZ's, draws by the inverse cdf of a uniform.
_TRIANGULAR_STAN = """\
// Triangular(lower = a, c, upper = b), as PreliZ and PyMC (pm.Triangular) define it; Stan has none.
real triangular_lpdf(real x, real a, real c, real b) {
  if (x < a || x > b) return negative_infinity();
  if (x < c) return log2() + log(x - a) - log(b - a) - log(c - a);
  return log2() + log(b - x) - log(b - a) - log(b - c);
}
real triangular_rng(real a, real c, real b) {
  real u = uniform_rng(0, 1);
  if (u < (c - a) / (b - a)) return a + sqrt(u * (b - a) * (c - a));
  return b - sqrt((1 - u) * (b - a) * (b - c));
}"""

_LKJ_PYMC = ('{raw} = pm.LKJCorr("{raw}", {kwargs}, return_matrix=True)',)

_ALD_SIGMA = "2 * scale * asymmetry / (1 + asymmetry ** 2)"
_ALD_TAU = "asymmetry ** 2 / (1 + asymmetry ** 2)"

FAMILIES: dict[str, Counterparts] = {
    # continuous
    "Normal": Counterparts(Stan("normal", ("loc", "scale"), mirror=True), _pymc("Normal", mu="loc", sigma="scale")),
    "LogNormal": Counterparts(Stan("lognormal", ("loc", "scale")), _pymc("LogNormal", mu="loc", sigma="scale")),
    "HalfNormal": Counterparts(Stan("normal", ("0", "scale"), half=True, mirror=True), _pymc("HalfNormal", sigma="scale")),
    "HalfCauchy": Counterparts(Stan("cauchy", ("0", "scale"), half=True), _pymc("HalfCauchy", beta="scale")),
    "Cauchy": Counterparts(Stan("cauchy", ("loc", "scale")), _pymc("Cauchy", alpha="loc", beta="scale")),
    "StudentT": Counterparts(Stan("student_t", ("df", "loc", "scale")),
                             _pymc("StudentT", nu="df", mu="loc", sigma="scale")),
    "Gamma": Counterparts(Stan("gamma", ("concentration", "rate")),
                          _pymc("Gamma", alpha="concentration", beta="rate")),
    "InverseGamma": Counterparts(Stan("inv_gamma", ("concentration", "rate")),
                                 _pymc("InverseGamma", alpha="concentration", beta="rate")),
    "Beta": Counterparts(Stan("beta", ("concentration1", "concentration0")),
                         _pymc("Beta", alpha="concentration1", beta="concentration0")),
    "BetaProportion": Counterparts(
        Stan("beta_proportion", ("mean", "concentration"),
             rng=("beta", ("mean * concentration", "(1 - mean) * concentration"))),
        _pymc("Beta", mu="mean", nu="concentration"),
    ),
    "Exponential": Counterparts(Stan("exponential", ("rate",)), _pymc("Exponential", lam="rate")),
    "Weibull": Counterparts(Stan("weibull", ("concentration", "scale")),
                            _pymc("Weibull", alpha="concentration", beta="scale")),
    "Pareto": Counterparts(Stan("pareto", ("scale", "alpha")), _pymc("Pareto", alpha="alpha", m="scale")),
    "Laplace": Counterparts(Stan("double_exponential", ("loc", "scale")), _pymc("Laplace", mu="loc", b="scale")),
    "Logistic": Counterparts(Stan("logistic", ("loc", "scale")), _pymc("Logistic", mu="loc", s="scale")),
    "Gumbel": Counterparts(Stan("gumbel", ("loc", "scale")), _pymc("Gumbel", mu="loc", beta="scale")),
    "Triangular": Counterparts(Stan("triangular", ("lower", "c", "upper"), functions=_TRIANGULAR_STAN, cdf=False),
                               _pymc("Triangular", lower="lower", c="c", upper="upper")),
    "Uniform": Counterparts(Stan("uniform", ("low", "high")), _pymc("Uniform", lower="low", upper="high")),
    "Chi2": Counterparts(Stan("chi_square", ("df",)), _pymc("ChiSquared", nu="df")),
    "AsymmetricLaplace": Counterparts(
        Stan("skew_double_exponential", ("loc", _ALD_SIGMA, _ALD_TAU)),
        _pymc("AsymmetricLaplace", b="1 / scale", kappa="asymmetry", mu="loc"),
    ),
    "Kumaraswamy": Counterparts(None, _pymc("Kumaraswamy", a="concentration1", b="concentration0")),
    "VonMises": Counterparts(Stan("von_mises", ("loc", "concentration"), wrap=True),
                             _pymc("VonMises", mu="loc", kappa="concentration")),
    "Dirichlet": Counterparts(Stan("dirichlet", ("concentration",)), _pymc("Dirichlet", a="concentration")),
    # discrete (Stan: generated quantities only; a Stan parameter cannot be discrete)
    "Poisson": Counterparts(Stan("poisson", ("rate",)), _pymc("Poisson", mu="rate")),
    "BernoulliProbs": Counterparts(Stan("bernoulli", ("probs",)), _pymc("Bernoulli", p="probs")),
    "BernoulliLogits": Counterparts(Stan("bernoulli_logit", ("logits",)), _pymc("Bernoulli", logit_p="logits")),
    "BinomialProbs": Counterparts(Stan("binomial", ("total_count", "probs"), ints=(0,)),
                                  _pymc("Binomial", n="total_count", p="probs")),
    "BinomialLogits": Counterparts(
        Stan("binomial_logit", ("total_count", "logits"), ints=(0,),
             rng=("binomial", ("total_count", "sigmoid(logits)"))),
        _pymc("Binomial", n="total_count", logit_p="logits"),
    ),
    "BetaBinomial": Counterparts(Stan("beta_binomial", ("total_count", "concentration1", "concentration0"), ints=(0,)),
                                 _pymc("BetaBinomial", alpha="concentration1", beta="concentration0",
                                       n="total_count")),
    "NegativeBinomial2": Counterparts(Stan("neg_binomial_2", ("mean", "concentration")),
                                      _pymc("NegativeBinomial", mu="mean", alpha="concentration")),
    "GammaPoisson": Counterparts(Stan("neg_binomial", ("concentration", "rate")),
                                 _pymc("NegativeBinomial", mu="concentration / rate", alpha="concentration")),
    "NegativeBinomialProbs": Counterparts(Stan("neg_binomial", ("total_count", "1 / probs - 1")),
                                          _pymc("NegativeBinomial", n="total_count", p="1 - probs")),
    "NegativeBinomialLogits": Counterparts(Stan("neg_binomial", ("total_count", "exp(-logits)")),
                                           _pymc("NegativeBinomial", n="total_count", p="sigmoid(-logits)")),
    "DiscreteUniform": Counterparts(Stan("discrete_range", ("low", "high"), ints=(0, 1)),
                                    _pymc("DiscreteUniform", lower="low", upper="high")),
    # zero-inflated and hurdle: Stan's functions are the User's Guide's (zero_stan.py); PyMC's psi = 1 - gate
    "ZeroInflatedPoisson": Counterparts(
        Stan("zero_inflated_poisson", ("gate", "rate"), functions=zero_stan.ZERO_INFLATED_POISSON),
        _pymc("ZeroInflatedPoisson", psi="1 - gate", mu="rate")),
    "ZeroInflatedNegativeBinomial2": Counterparts(
        Stan("zero_inflated_neg_binomial_2", ("gate", "mean", "concentration"),
             functions=zero_stan.ZERO_INFLATED_NEG_BINOMIAL_2),
        _pymc("ZeroInflatedNegativeBinomial", psi="1 - gate", mu="mean", alpha="concentration")),
    "HurdlePoisson": Counterparts(Stan("hurdle_poisson", ("gate", "rate"), functions=zero_stan.HURDLE_POISSON),
                                  _pymc("HurdlePoisson", psi="1 - gate", mu="rate")),
    "HurdleNegativeBinomial2": Counterparts(
        Stan("hurdle_neg_binomial_2", ("gate", "mean", "concentration"), functions=zero_stan.HURDLE_NEG_BINOMIAL_2),
        _pymc("HurdleNegativeBinomial", psi="1 - gate", mu="mean", alpha="concentration")),
    "HurdleGamma": Counterparts(
        Stan("hurdle_gamma", ("gate", "concentration", "rate"), functions=zero_stan.HURDLE_GAMMA, cdf=False),
        _pymc("HurdleGamma", psi="1 - gate", alpha="concentration", beta="rate")),
    "HurdleLogNormal": Counterparts(
        Stan("hurdle_lognormal", ("gate", "loc", "scale"), functions=zero_stan.HURDLE_LOGNORMAL, cdf=False),
        _pymc("HurdleLogNormal", psi="1 - gate", mu="loc", sigma="scale")),
}


# Matrix families (a record with ``matrix``: LKJ's), apart from FAMILIES, whose entries are each
# one number's or vector's distribution with a density the table's checks evaluate
MATRIX_FAMILIES: dict[str, Counterparts] = {
    "LKJ": Counterparts(
        Stan("lkj_corr", ("concentration",), rng=("lkj_corr", ("dimension", "concentration")), matrix="corr_matrix",
             rng_ints=(0,)),
        PyMC("LKJCorr", (("n", "dimension"), ("eta", "concentration")), lines=_LKJ_PYMC + (
            '{py} = pm.Deterministic("{name}", {raw})',))),
    "LKJCholesky": Counterparts(
        Stan("lkj_corr_cholesky", ("concentration",), rng=("lkj_corr_cholesky", ("dimension", "concentration")),
             matrix="cholesky_factor_corr", rng_ints=(0,)),
        PyMC("LKJCorr", (("n", "dimension"), ("eta", "concentration")), lines=_LKJ_PYMC + (
            '{py} = pm.Deterministic("{name}", pt.linalg.cholesky({raw}))',))),
}


def stan(family: str) -> Stan | None:
    entry = FAMILIES.get(family) or MATRIX_FAMILIES.get(family)
    return entry.stan if entry else None


def pymc(family: str) -> PyMC | None:
    entry = FAMILIES.get(family) or MATRIX_FAMILIES.get(family)
    return entry.pymc if entry else None
