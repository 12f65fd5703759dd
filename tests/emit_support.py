"""Helpers shared by the --emit tests: the emitted text, stanc, priorcli's own draws, and the
Monte Carlo comparison of printed quantiles.

Quantile check: a quantile q of n draws at level p has F(q) = p + O(sqrt(p(1-p)/n)); priorcli's
own m draws have their empirical quantile function Q_m. So q must lie between Q_m(p - d) and
Q_m(p + d) with d = K * sqrt(p(1-p)(1/n + 1/m)) + 1/n + 1/m (K = 4.5 standard errors; the 1/n + 1/m
covers the steps of discrete distributions and of the empirical functions). One-sample against an
exact CDF F: |F(q) - p| <= K * sqrt(p(1-p)/n) + 1/n.
"""

from __future__ import annotations

import functools
import io
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import Run

K_SIGMA = 4.5

# Parameter values for every family in the table, away from special cases (x != y everywhere).
PARAMS = {
    "Normal": {"loc": 0.3, "scale": 1.7},
    "LogNormal": {"loc": -0.4, "scale": 0.6},
    "HalfNormal": {"scale": 2.5},
    "HalfCauchy": {"scale": 5.0},
    "Cauchy": {"loc": 1.0, "scale": 0.5},
    "StudentT": {"df": 3.5, "loc": -1.0, "scale": 2.0},
    "Gamma": {"concentration": 2.5, "rate": 1.5},
    "InverseGamma": {"concentration": 3.0, "rate": 2.0},
    "Beta": {"concentration1": 2.0, "concentration0": 5.0},
    "BetaProportion": {"mean": 0.3, "concentration": 8.0},
    "Exponential": {"rate": 0.7},
    "Weibull": {"scale": 2.0, "concentration": 1.7},
    "Pareto": {"scale": 1.5, "alpha": 2.5},
    "Laplace": {"loc": 0.5, "scale": 1.3},
    "Logistic": {"loc": -0.5, "scale": 0.8},
    "Gumbel": {"loc": 1.0, "scale": 2.0},
    "Uniform": {"low": -1.0, "high": 3.0},
    "Triangular": {"lower": -1.0, "c": 0.5, "upper": 3.0},
    "Chi2": {"df": 4.0},
    "AsymmetricLaplace": {"loc": 0.5, "scale": 1.5, "asymmetry": 2.0},
    "Kumaraswamy": {"concentration1": 2.0, "concentration0": 3.0},
    "VonMises": {"loc": 0.5, "concentration": 2.0},
    "Dirichlet": {"concentration": np.array([1.5, 2.0, 3.5])},
    "Poisson": {"rate": 3.5},
    "BernoulliProbs": {"probs": 0.3},
    "BernoulliLogits": {"logits": -0.7},
    "BinomialProbs": {"probs": 0.35, "total_count": 12},
    "BinomialLogits": {"logits": 0.4, "total_count": 9},
    "BetaBinomial": {"concentration1": 2.0, "concentration0": 3.0, "total_count": 10},
    "NegativeBinomial2": {"mean": 4.0, "concentration": 2.5},
    "GammaPoisson": {"concentration": 3.0, "rate": 0.8},
    "NegativeBinomialProbs": {"total_count": 5.0, "probs": 0.3},
    "NegativeBinomialLogits": {"total_count": 4.0, "logits": 0.5},
    "DiscreteUniform": {"low": 2, "high": 9},
    "ZeroInflatedPoisson": {"gate": 0.25, "rate": 3.0},
    "ZeroInflatedNegativeBinomial2": {"mean": 3.5, "concentration": 1.5, "gate": 0.2},
    "HurdlePoisson": {"gate": 0.35, "rate": 2.5},
    "HurdleNegativeBinomial2": {"gate": 0.3, "mean": 3.0, "concentration": 1.5},
    "HurdleGamma": {"gate": 0.3, "concentration": 2.5, "rate": 1.5},
    "HurdleLogNormal": {"gate": 0.4, "loc": -0.3, "scale": 0.7},
}


@functools.cache
def numpyro_points(family: str) -> tuple[np.ndarray, np.ndarray]:
    """Six draws (PRNGKey(1)) of numpyro's ``family`` at PARAMS[family], as float64, and its log
    density at them: the oracle of the PyMC density checks (test_emit_frameworks' table entries,
    test_emit_lines' one-line variables), drawn once per process. Nearly all of its cost is jax
    compiling the samplers and densities (~15 s); read-only arrays, so that no test alters them."""
    import jax

    from priorcli.families.registry import resolve

    d = resolve(family).factory(**PARAMS[family])  # numpyro's class, or priorcli's own (Triangular)
    values = np.asarray(d.sample(jax.random.PRNGKey(1), (6,)), dtype=np.float64)
    densities = np.asarray(d.log_prob(values), dtype=np.float64)
    for array in (values, densities):
        array.setflags(write=False)
    return values, densities


def family_line(family: str) -> str:
    """A model line drawing f_<family> from PARAMS[family], e.g. 'f_normal ~ Normal(loc=0.3, scale=1.7)'."""
    args = ", ".join(f"{k}={v!r}" for k, v in PARAMS[family].items())
    return f"f_{family.lower()} ~ {family}({args})"


def emitted(spec: str, target: str, *extra) -> str:
    result = Run()("sample", "--model", spec, "--emit", target, *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def stanc_binary() -> Path | None:
    """The stanc compiler front end that httpstan (installed with pystan) ships."""
    try:
        import httpstan
    except ImportError:
        return None
    path = Path(httpstan.__file__).parent / "stanc"
    return path if path.is_file() else (Path(shutil.which("stanc")) if shutil.which("stanc") else None)


def require_stanc() -> Path:
    path = stanc_binary()
    if path is None:
        pytest.skip("no stanc binary: install the test extra (pystan brings httpstan's stanc)")
    return path


def stanc(code: str, tmp_path: Path, name: str = "emitted") -> subprocess.CompletedProcess:
    """Run stanc on a program; returns the finished process (returncode 0 = a valid program)."""
    source = tmp_path / f"{name}.stan"
    source.write_text(code, encoding="utf-8")
    return subprocess.run([str(require_stanc()), str(source), f"--o={tmp_path / (name + '.hpp')}"],
                          capture_output=True, text=True, timeout=120)


def assert_stanc_accepts(code: str, tmp_path: Path, name: str = "emitted") -> None:
    done = stanc(code, tmp_path, name)
    assert done.returncode == 0, f"stanc refused the program:\n{done.stderr}\n{code}"
    assert "Warning" not in done.stderr, done.stderr


def priorcli_draws(spec: str, names, n: int, seed: int) -> dict[str, np.ndarray]:
    result = Run()("sample", "--model", spec, "-n", n, "--seed", seed, "--format", "raw")
    assert result.exit_code == 0, result.stderr
    header, _, rows = result.stdout.partition("\n")  # several variables: a header line names the columns
    if len(names) == 1:
        header, rows = names[0], result.stdout
    assert header.split(",") == list(names), header
    table = np.loadtxt(io.StringIO(rows), delimiter=",", ndmin=2)
    assert table.shape == (n, len(names)), table.shape
    return {name: table[:, i] for i, name in enumerate(names)}


def parse_printed_quantiles(stdout: str) -> dict[str, dict[float, float]]:
    """The table the emitted programs print: a header of names, then 'qP v v v' rows."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.split()[0] == "quantile")
    names = lines[start].split()[1:]
    out: dict[str, dict[float, float]] = {name: {} for name in names}
    for line in lines[start + 1:]:
        label, *values = line.split()
        assert label.startswith("q") and len(values) == len(names), line
        for name, value in zip(names, values):
            out[name][float(label[1:])] = float(value)
    return out


def band(p: float, n: int, m: int | None = None) -> float:
    if m is None:
        return K_SIGMA * math.sqrt(p * (1 - p) / n) + 1 / n
    return K_SIGMA * math.sqrt(p * (1 - p) * (1 / n + 1 / m)) + 1 / n + 1 / m


def quantile_mismatches(quantiles: dict[float, float], draws: np.ndarray, n: int) -> list:
    """Printed quantiles (of n draws) that priorcli's own draws put outside Monte Carlo error."""
    m = len(draws)
    bad = []
    for p, q in quantiles.items():
        d = band(p, n, m)
        lo, hi = np.quantile(draws, [max(p - d, 0.0), min(p + d, 1.0)], method="inverted_cdf")
        if not lo <= q <= hi and not (np.isclose(q, lo, rtol=1e-5) or np.isclose(q, hi, rtol=1e-5)):
            bad.append((p, q, lo, hi))
    return bad


def exact_mismatches(draws: np.ndarray, cdf, probs=(0.05, 0.25, 0.5, 0.75, 0.95)) -> list:
    """Quantiles of the draws whose exact CDF is outside Monte Carlo error of their level."""
    n = len(draws)
    bad = []
    for p in probs:
        q = np.quantile(draws, p)
        if abs(cdf(q) - p) > band(p, n):
            bad.append((p, q, float(cdf(q))))
    return bad


# ---- several emitted Stan programs in one compilation ------------------------------------------
# A Stan compilation costs about 10 CPU s whatever the program's size (stan_support), so a test file
# builds its `stan` program and its `stan-prior` programs as one: the `stan` program as it is, each
# `stan-prior` program's generated quantities renamed PREFIX + name after it. Each program is first
# checked by stanc as it was emitted, so a program that only compiles beside the others still fails.

BLOCKS = ("functions", "data", "transformed data", "parameters", "transformed parameters", "model",
          "generated quantities")


def stan_blocks(code: str) -> dict[str, str]:
    """The top-level blocks of an emitted program (priorcli writes `NAME {` ... `}` at column 0),
    by name, their bodies as text; anything else outside them must be a comment."""
    out: dict[str, str] = {}
    name, body = None, []
    for line in code.splitlines():
        if name is None:
            head = line.rstrip()
            if head.endswith("{") and head[:-1].strip() in BLOCKS:
                name, body = head[:-1].strip(), []
            else:
                assert not line.strip() or line.lstrip().startswith("//"), line
        elif line.rstrip() == "}":
            assert name not in out, name
            out[name], name = "\n".join(body) + "\n", None
        else:
            body.append(line)
    assert name is None, f"unclosed block {name}"
    return out


def stan_info(code: str) -> dict:
    """stanc's --info of a program: its data, parameters and generated quantities by name."""
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "program.stan"
        source.write_text(code, encoding="utf-8")
        done = subprocess.run([str(require_stanc()), "--info", str(source)], capture_output=True, text=True,
                              timeout=120)
    assert done.returncode == 0, f"stanc refused the program:\n{done.stderr}\n{code}"
    return json.loads(done.stdout)


# a declaration at the top of a block (priorcli indents them by two spaces): its name
DECLARATION = (r"^  (?:array\[[^\]]*\]\s+)?(?:real|int|vector|row_vector|matrix|simplex|corr_matrix|cov_matrix"
               r"|cholesky_factor_corr|cholesky_factor_cov|unit_vector|ordered|positive_ordered)"
               r"(?:<[^>]*>)?(?:\[[^\]]*\])?\s+(\w+)")


def merged_program(model: str | None = None, **priors: str) -> str:
    """One program: ``model`` (a `stan` program, unchanged) and each ``PREFIX=stan-prior program``
    with its generated quantities and transformed data named PREFIX_name (a stan-prior program
    draws everything in generated quantities)."""
    import re

    parts = [] if model is None else [stan_blocks(model)]
    if model is not None:
        stan_info(model)
    for prefix, code in priors.items():
        blocks = stan_blocks(code)
        assert set(blocks) <= {"functions", "transformed data", "generated quantities"}, (prefix, list(blocks))
        names = [*stan_info(code)["generated quantities"],
                 *re.findall(DECLARATION, blocks.get("transformed data", ""), re.M)]
        for block in ("transformed data", "generated quantities"):
            if block in blocks:
                for name in sorted(names, key=len, reverse=True):
                    blocks[block] = re.sub(rf"(?<![\w.]){re.escape(name)}(?!\w)", f"{prefix}_{name}", blocks[block])
        parts.append(blocks)
    text = []
    for block in BLOCKS:
        pieces = [_functions(p[block]) if block == "functions" else [p[block]] for p in parts if block in p]
        bodies = list(dict.fromkeys(piece for body in pieces for piece in body))  # a function both define, once
        if bodies:
            text.append(f"{block} {{\n" + "".join(bodies) + "}\n")
    return "".join(text)


def _functions(body: str) -> list[str]:
    """A functions block's definitions (each with the comment lines above it), as text: a definition
    starts at two spaces' indent and ends at the first line that is two spaces and `}`."""
    out, piece = [], []
    for line in body.splitlines(keepends=True):
        piece.append(line)
        if line.rstrip() == "  }":
            out.append("".join(piece))
            piece = []
    assert not "".join(piece).strip(), piece
    return out
