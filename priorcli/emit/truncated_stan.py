"""A truncated family's draws in Stan (``--emit stan-prior``): Stan has no truncated ``_rng``, and a
plain rejection loop (``while (x < L || x > U) x = normal_rng(...);``) never ends when the
truncation holds little of the family's mass (``truncated(Normal(0, 1), low=6, high=7)``: 1e-9).

``function(entry)`` writes one user-defined ``NAME_truncated_rng(lo, hi, p1, p2, ...)`` per Stan
family (``lo``/``hi`` the truncation's ends, an open end the support's bound or an infinity), exact
in distribution and finished in bounded time:

- up to ``TRIES`` draws of ``NAME_rng`` kept when inside [lo, hi] (cheap when the mass is not small),
  then one draw by the inverse of the family's cdf: a uniform level between F(lo) and F(hi), in
  logs with Stan's ``NAME_lcdf``, or with ``NAME_lccdf`` when lo is above the median (the precise
  side of a far upper tail), solved for x by bisection (an open end bracketed first by doubling
  steps). Either way a draw is one of the truncated distribution, so their mixture is too.
- a family ``frameworks`` marks ``mirror`` (the normal: Stan's ``normal_lccdf`` is 0 beyond 8.25
  standard deviations, its ``normal_lcdf`` precise to 37) inverts an interval above its centre
  (its first argument) as the mirror image of one below it.
- a family without a Stan cdf (``cdf=False``: Triangular's and the hurdles' user-defined functions)
  keeps rejection, bounded: after ``NO_CDF_TRIES`` draws outside [lo, hi] it stops the run with
  ``reject`` and a message instead of running forever.

The bodies' inner lines are indented past the functions block's two spaces, so a function's own
closing brace is its only line that is two spaces and ``}`` (tests/emit_support.py reads that).
"""

from __future__ import annotations

TRIES = 10  # rejection draws before the inverse cdf (a mass of 1/2 falls through 1 time in 1000)
NO_CDF_TRIES = 1000000
EXPAND = 1100  # doubling steps bracketing an open end: 2^1024 overflows a double
BISECT = 200  # halvings of the bracket (it stops sooner, at adjacent doubles)


def name(entry) -> str:
    """The user-defined function drawing ``entry``'s family truncated: ``normal_truncated_rng``."""
    rng = entry.rng[0] if entry.rng is not None else entry.name
    return f"{rng}_truncated_rng"


def function(entry) -> str:
    """The Stan source of ``name(entry)``, for ``entry``'s rng's number of arguments."""
    rng, args = entry.rng if entry.rng is not None else (entry.name, entry.args)
    params = ", ".join(f"p{i + 1}" for i in range(len(args)))
    declared = ", ".join(f"real p{i + 1}" for i in range(len(args)))
    fn = name(entry)
    draw = f"{rng}_rng({params})"
    wrap = "\n    x = x - 2 * pi() * floor((x + pi()) / (2 * pi()));" if entry.wrap else ""
    if not entry.cdf:
        return f"""\
// {rng} truncated to [lo, hi] by rejection: Stan has no {rng} cdf to invert, so after
// {NO_CDF_TRIES} draws outside [lo, hi] the run stops with a message rather than never ending.
real {fn}(real lo, real hi, {declared}) {{
  for (i in 1:{NO_CDF_TRIES}) {{
    real x = {draw};{wrap}
    if (x >= lo && x <= hi) return x;
  }}
  reject("{fn}: no draw inside [", lo, ", ", hi, "] in {NO_CDF_TRIES} tries; the truncation holds too little ",
         "of the distribution's mass");
}}"""
    inverse = f"{rng}_truncated_inverse"
    if entry.mirror:  # an interval above the centre p1: the mirror image of one below it, by the lcdf
        last = (f"  if (lo > p1) return 2 * p1 - {inverse}(uniform_rng(0, 1), 2 * p1 - hi, 2 * p1 - lo, {params});\n"
                f"  return {inverse}(uniform_rng(0, 1), lo, hi, {params});")
    else:
        last = f"  return {inverse}(uniform_rng(0, 1), lo, hi, {params});"
    return _inverse(rng, inverse, declared, params) + f"""
// {rng} truncated to [lo, hi]: up to {TRIES} draws of {rng}_rng kept when inside, then the inverse cdf
// (exact either way, and finished in bounded time whatever mass [lo, hi] holds).
real {fn}(real lo, real hi, {declared}) {{
  for (i in 1:{TRIES}) {{
    real x = {draw};{wrap}
    if (x >= lo && x <= hi) return x;
  }}
{last}
}}"""


def _inverse(rng: str, inverse: str, declared: str, params: str) -> str:
    """``NAME_truncated_inverse(v, lo, hi, ...)``: the x in [lo, hi] at level v of the truncated
    distribution, by bisection on Stan's log cdf (``up``: on the log complementary cdf)."""
    lcdf, lccdf = f"{rng}_lcdf", f"{rng}_lccdf"

    def side(x: str) -> str:  # log F(x), or log(1 - F(x)) on the upper side
        return f"(up ? {lccdf}({x} | {params}) : {lcdf}({x} | {params}))"

    return f"""\
// The inverse of {rng}'s cdf truncated to [lo, hi] at level v, by bisection on {lcdf}
// (or on {lccdf} when lo is above the median, where it is the precise side).
real {inverse}(real v, real lo, real hi, {declared}) {{
  if (is_inf(lo) && is_inf(hi)) reject("{inverse}: both ends are infinite");
  int up = !is_inf(lo) && {lcdf}(lo | {params}) > -log2();
  real g_lo = is_inf(lo) ? (up ? 0 : negative_infinity()) : {side("lo")};
  real g_hi = is_inf(hi) ? (up ? negative_infinity() : 0) : {side("hi")};
  if (up ? !(g_lo > g_hi) : !(g_hi > g_lo))
    reject("{inverse}: [", lo, ", ", hi, "] holds no mass Stan's {rng} cdf can resolve");
  // the level F(lo) + v (F(hi) - F(lo)), or 1 - F(lo) - v (F(hi) - F(lo)) on the upper side, in logs
  real t = log_sum_exp(g_lo + log1m(v), g_hi + log(v));
  real a = lo;
  real b = hi;
  if (is_inf(b)) {{  // an open upper end: step up from lo until past the level
    real step = fmax(1, abs(a));
    b = a + step;
    for (i in 1:{EXPAND}) {{
      if (up ? {lccdf}(b | {params}) <= t : {lcdf}(b | {params}) >= t) break;
      a = b;
      step *= 2;
      b = a + step;
    }}
  }}
  if (is_inf(a)) {{  // an open lower end: step down from hi
    real step = fmax(1, abs(b));
    a = b - step;
    for (i in 1:{EXPAND}) {{
      if (up ? {lccdf}(a | {params}) > t : {lcdf}(a | {params}) < t) break;
      b = a;
      step *= 2;
      a = b - step;
    }}
  }}
  for (i in 1:{BISECT}) {{
    real m = a + 0.5 * (b - a);
    if (m <= a || m >= b) break;
    if (up ? {lccdf}(m | {params}) > t : {lcdf}(m | {params}) < t) a = m;
    else b = m;
  }}
  return fmin(fmax(a + 0.5 * (b - a), lo), hi);
}}"""
