"""``solve --model ... --emit`` programs print each quantile target's own level beside the defaults,
so the program's output shows the judgement it was solved from (a 0.9 quantile, as in the forum case)."""

import re

from conftest import Run


def test_emitted_program_prints_the_targets_levels():
    result = Run()("solve", "--model", "a ~ Normal(0, s); p = sigmoid(a)", "--quantile", "p:0.9=0.8",
                   "--emit", "numpyro", "-n", "2000")
    assert result.exit_code == 0, result.stderr
    (line,) = re.findall(r"QUANTILES = \(([^)]*)\)", result.stdout)
    levels = [float(v) for v in line.split(",") if v.strip()]
    assert levels == sorted(levels) and 0.9 in levels and {0.025, 0.5, 0.975} <= set(levels)
