"""solve's one-line Stan and PyMC code (priorcli/emit/lines.py): each Stan line is a valid Stan
sampling statement (stanc), each PyMC line builds a PyMC variable whose density is numpyro's."""

from __future__ import annotations

import numpy as np
import pytest

from emit_support import PARAMS, assert_stanc_accepts, numpyro_points
from priorcli.emit import frameworks
from priorcli.emit.lines import pymc_line, stan_line


def number(v) -> str:
    return repr(float(v))


def _params(family):
    return {k: tuple(float(x) for x in v) if isinstance(v, np.ndarray) else float(v) for k, v in PARAMS[family].items()}


def test_every_stan_line_is_a_stan_statement(tmp_path):
    from priorcli.families.registry import resolve

    declarations, statements = [], []
    for i, family in enumerate(f for f, e in frameworks.FAMILIES.items() if e.stan is not None):
        line, notes = stan_line(family, _params(family), number)
        name = f"x{i}"
        if family == "Dirichlet":
            declarations.append(("parameters", f"simplex[3] {name};"))
        elif resolve(family).discrete:
            declarations.append(("data", f"int {name};"))
        else:
            declarations.append(("parameters", f"real {name};"))
        statements.append(f"{name} ~ {line};")
        entry = frameworks.stan(family)
        assert bool(notes) == (entry.half or entry.wrap)  # a half family's or a circular one's note
    blocks = {kind: [d for k, d in declarations if k == kind] for kind in ("data", "parameters")}
    code = "".join(f"{kind} {{\n" + "\n".join(f"  {d}" for d in lines) + "\n}\n" for kind, lines in blocks.items())
    code += "model {\n" + "\n".join(f"  {s}" for s in statements) + "\n}\n"
    # the user-defined functions of the families Stan lacks (Triangular), as --emit stan writes them
    functions = [e.stan.functions for e in frameworks.FAMILIES.values() if e.stan is not None and e.stan.functions]
    code = "functions {\n" + "\n".join(functions) + "\n}\n" + code if functions else code
    assert_stanc_accepts(code, tmp_path, "lines")


def test_stan_lines_read_like_stan():
    assert stan_line("LogNormal", {"loc": 0.25, "scale": 0.5}, number) == ("lognormal(0.25, 0.5)", ())
    assert stan_line("HalfCauchy", {"scale": 5.0}, number)[0] == "cauchy(0, 5.0)"
    assert stan_line("Gamma", {"concentration": 2.0, "rate": 3.0}, number)[0] == "gamma(2.0, 3.0)"
    assert stan_line("BinomialProbs", {"probs": 0.3, "total_count": 10.0}, number)[0] == "binomial(10, 0.3)"
    assert stan_line("Dirichlet", {"concentration": (1.0, 2.0)}, number)[0] == "dirichlet([1.0, 2.0]')"
    assert stan_line("Gompertz", {"concentration": 1.0, "rate": 1.0}, number) == (None, ())


@pytest.mark.slow
def test_every_pymc_line_builds_numpyros_distribution():
    """At six draws of numpyro's family (emit_support.numpyro_points, shared with
    test_emit_frameworks), the line's variable has numpyro's log density; PyMC's densities are
    evaluated together in one compiled function, as test_emit_frameworks does."""
    pm = pytest.importorskip("pymc", reason="PyMC is in the test extra")
    import pytensor

    outputs, expected = [], []
    for family, entry in frameworks.FAMILIES.items():
        if entry.pymc is None:
            continue
        line = pymc_line(family, _params(family), number)
        assert line.startswith(f'pm.{entry.pymc.name}("x", ')
        with pm.Model():
            rv = eval(line, {"pm": pm})  # noqa: S307 - the line under test
        values, densities = numpyro_points(family)  # numpyro's class, or priorcli's own (Triangular)
        outputs.append(pm.logp(rv, values))
        expected.append((family, densities))
    got = pytensor.function([], outputs)()
    for (family, want), have in zip(expected, got):
        np.testing.assert_allclose(have, want, rtol=1e-6, atol=1e-7, err_msg=family)
