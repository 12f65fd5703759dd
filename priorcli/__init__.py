"""priorcli: a command-line prior explorer for numpyro, Stan and PyMC users, and its Python API.

    import priorcli
    priorcli.summarize("lognormal", mu=0, sigma=1)      # exact mean, sd, median, mode, quantiles
    r = priorcli.solve("lognormal", mode=1, sigma=0.5)   # r.params, r.achieved, r.to_numpyro()
    s = priorcli.sample("gamma", n=1000, seed=0, alpha=2, beta=1)  # s.draws, s.summary, s.exact

Parameters, their aliases and targets are the command line's (``--mu 0`` is ``mu=0``), parsed by
the same registry parser, and the command line calls these same functions. Importing priorcli
imports neither numpy nor jax: each function imports what it needs when called (a closed-form
LogNormal ``solve`` never imports them). Failures raise :class:`priorcli.errors.PriorError`
subclasses (``UsageError``, ``InfeasibleError``, ``ConvergenceError``) with the command line's
messages.

The solver itself is the package ``priorcli.solving`` (not ``priorcli.solve``, which is this
function: a submodule of that name would replace it on the package once imported).
"""

__version__ = "0.1.0"

__all__ = ["summarize", "solve", "sample", "__version__"]


def summarize(family, *, levels=None, transforms=(), **params_or_targets):
    """Exact summary of ``family`` (any spelling: ``"lognormal"``, ``"half-cauchy"``).

    Keywords are native parameters or their aliases (``mu=0, sigma=1``), or targets to solve for
    first (``mode=1, sigma=0.5``; see :func:`solve`). ``levels``: the quantile probabilities to
    report (default 0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975); ``transforms``: a transform or a
    list of them, as ``--transform`` takes them (``"softplus"``, ``"affine:0,2"``).

    Returns a :class:`priorcli.stats.exact.Summary` (``mean``, ``sd``, ``median``, ``mode``,
    ``quantiles`` {probability: value}, ``method="exact"``; None where a value does not exist),
    or a tuple of one Summary per component for Dirichlet.
    """
    from priorcli import api

    return api.summarize(family, levels=levels, transforms=transforms, **params_or_targets)


def solve(family, **targets):
    """Native parameters of ``family`` meeting the targets.

    Targets: ``mode``, ``median``, ``mean``, ``sd``, ``quantiles={0.05: 1.0, 0.95: 10.0}`` (or a
    list of (p, value) pairs), ``quantile=(0.9, 3.0)``, ``lower=L, upper=U, mass=P`` (maximum
    entropy), ``count`` (Beta, Dirichlet). Any native parameter or alias given beside them is held
    fixed (``sigma=0.5``). Dirichlet takes ``mean=(0.2, 0.3, 0.5), count=10``.

    Returns a :class:`priorcli.emit.lines.Solved`, the solver's
    :class:`priorcli.solving.Solution` with its code lines: ``.params`` (every native parameter,
    full precision), ``.targets``, ``.achieved``, ``.method``, ``.notes``, ``.numpyro_code``,
    ``.stan_code``, ``.pymc_code`` (built from ``.params`` when read, 6 significant digits; None
    where the framework lacks the family) and ``.to_numpyro()`` (a numpyro distribution). When the targets leave a parameter free, a
    :class:`priorcli.solving.Underdetermined` with the ``.relation`` and a table of ``.solutions``.
    """
    from priorcli import api

    return api.solve(family, **targets)


def sample(family, *, n=10000, seed=0, levels=None, transforms=(), **params_or_targets):
    """``n`` draws of ``family`` under ``seed`` (the same draws as ``priorcli sample ... -n N --seed S``
    up to n = 2**20), with their Monte Carlo summary and the exact one.

    Keywords as for :func:`summarize`. Returns a :class:`priorcli.api.Sample`: ``.draws`` (a float64
    numpy array), ``.summary`` (Monte Carlo), ``.exact``, ``.params``, ``.seed``.
    """
    from priorcli import api

    return api.sample(family, n=n, seed=seed, levels=levels, transforms=transforms, **params_or_targets)
