"""Stan's zero-inflated and hurdle families, which Stan has no built-in distribution for: the
user-defined ``_lpmf``/``_lpdf`` and ``_rng`` functions ``frameworks`` names, written as the Stan
User's Guide's "Zero-inflated and hurdle models" writes their log densities. ``theta`` is numpyro's
``gate``, the probability of the structural zero (a zero-inflated family's base makes zeros too; a
hurdle family's zeros are all the hurdle's, its positive part the base truncated above 0)."""

from __future__ import annotations

ZERO_INFLATED_POISSON = """\
// ZeroInflatedPoisson(gate = theta, rate = lambda): the Stan User's Guide's zero-inflated Poisson.
real zero_inflated_poisson_lpmf(int y, real theta, real lambda) {
  if (y == 0) return log_sum_exp(log(theta), log1m(theta) + poisson_lpmf(0 | lambda));
  return log1m(theta) + poisson_lpmf(y | lambda);
}
int zero_inflated_poisson_rng(real theta, real lambda) {
  if (bernoulli_rng(theta)) return 0;
  return poisson_rng(lambda);
}"""

ZERO_INFLATED_NEG_BINOMIAL_2 = """\
// ZeroInflatedNegativeBinomial2(mean = mu, concentration = phi, gate = theta), zero-inflated as the guide's Poisson.
real zero_inflated_neg_binomial_2_lpmf(int y, real theta, real mu, real phi) {
  if (y == 0) return log_sum_exp(log(theta), log1m(theta) + neg_binomial_2_lpmf(0 | mu, phi));
  return log1m(theta) + neg_binomial_2_lpmf(y | mu, phi);
}
int zero_inflated_neg_binomial_2_rng(real theta, real mu, real phi) {
  if (bernoulli_rng(theta)) return 0;
  return neg_binomial_2_rng(mu, phi);
}"""

HURDLE_POISSON = """\
// HurdlePoisson(gate = theta, rate = lambda): the Stan User's Guide's hurdle Poisson.
real hurdle_poisson_lpmf(int y, real theta, real lambda) {
  if (y == 0) return log(theta);
  return log1m(theta) + poisson_lpmf(y | lambda) - poisson_lccdf(0 | lambda);
}
int hurdle_poisson_rng(real theta, real lambda) {
  if (bernoulli_rng(theta)) return 0;
  // the Poisson truncated above 0, exact and bounded (rejection alone stalls for a small lambda, where
  // P(y > 0) ~ lambda): up to 100 draws of poisson_rng when each is 0 with chance exp(-lambda) <= 1/2,
  // else by inversion from y = 1 (u against the zero-truncated cdf, walked with the pmf's recurrence)
  if (lambda > log2()) {
    for (i in 1:100) {
      int y = poisson_rng(lambda);
      if (y > 0) return y;
    }
  }
  real u = uniform_rng(0, 1);
  int y = 1;
  real p = lambda / expm1(lambda);  // P(y = 1 | y > 0)
  real c = p;
  while (u > c && y < 100000000) {
    y += 1;
    p *= lambda / y;
    c += p;
  }
  return y;
}"""

HURDLE_NEG_BINOMIAL_2 = """\
// HurdleNegativeBinomial2(gate = theta, mean = mu, concentration = phi): a hurdle as the guide's Poisson one.
real hurdle_neg_binomial_2_lpmf(int y, real theta, real mu, real phi) {
  if (y == 0) return log(theta);
  return log1m(theta) + neg_binomial_2_lpmf(y | mu, phi) - log1m_exp(neg_binomial_2_lpmf(0 | mu, phi));
}
int hurdle_neg_binomial_2_rng(real theta, real mu, real phi) {
  if (bernoulli_rng(theta)) return 0;
  // the NB2 truncated above 0, exact and bounded as hurdle_poisson_rng: up to 100 draws of
  // neg_binomial_2_rng when P(0) = (phi / (mu + phi))^phi <= 1/2, else by inversion from y = 1
  real log_p0 = -phi * log1p(mu / phi);
  if (log_p0 <= -log2()) {
    for (i in 1:100) {
      int y = neg_binomial_2_rng(mu, phi);
      if (y > 0) return y;
    }
  }
  real q = mu / (mu + phi);
  real u = uniform_rng(0, 1);
  int y = 1;
  real p = exp(log(phi) + log(q) + log_p0 - log1m_exp(log_p0));  // P(y = 1 | y > 0)
  real c = p;
  while (u > c && y < 100000000) {
    p *= (y + phi) / (y + 1) * q;
    y += 1;
    c += p;
  }
  return y;
}"""


def _continuous(family: str, name: str, base: str, args: str, doc: str) -> str:
    declared = ", ".join(f"real {a}" for a in args.split(", "))
    return f"""\
// {family}: {doc}; a point mass theta at 0 (so a Stan parameter cannot have it: data or _rng only).
real {name}_lpdf(real y, real theta, {declared}) {{
  if (y == 0) return log(theta);
  return log1m(theta) + {base}_lpdf(y | {args});
}}
real {name}_rng(real theta, {declared}) {{
  if (bernoulli_rng(theta)) return 0;
  return {base}_rng({args});
}}"""


HURDLE_GAMMA = _continuous("HurdleGamma", "hurdle_gamma", "gamma", "alpha, beta",
                           "gate = theta, concentration = alpha, rate = beta")
HURDLE_LOGNORMAL = _continuous("HurdleLogNormal", "hurdle_lognormal", "lognormal", "mu, sigma",
                               "gate = theta, loc = mu, scale = sigma")
