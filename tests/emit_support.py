"""Helpers shared by the --emit tests: the emitted text, stanc, priorcli's own draws, and the
Monte Carlo comparison of printed quantiles.

Quantile check: a quantile q of n draws at level p has F(q) = p + O(sqrt(p(1-p)/n)); priorcli's
own m draws have their empirical quantile function Q_m. So q must lie between Q_m(p - d) and
Q_m(p + d) with d = K * sqrt(p(1-p)(1/n + 1/m)) + 1/n + 1/m (K = 4.5 standard errors; the 1/n + 1/m
covers the steps of discrete distributions and of the empirical functions). One-sample against an
exact CDF F: |F(q) - p| <= K * sqrt(p(1-p)/n) + 1/n.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import Run

K_SIGMA = 4.5


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
    table = np.loadtxt(io.StringIO(result.stdout), delimiter=",", ndmin=2)
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
