"""summarize's support line writes counts as sets and a hurdle's zero as a closed end."""

import pytest
import scipy.stats as st

CASES = [
    (["poisson", "--rate", "3"], "support {0, 1, 2, ...}", st.poisson(3)),
    (["bernoulliprobs", "--probs", "0.3"], "support {0, 1}", st.bernoulli(0.3)),
    (["binomialprobs", "--total-count", "3", "--probs", "0.3"], "support {0, 1, 2, 3}", st.binom(3, 0.3)),
    (["binomialprobs", "--total-count", "30", "--probs", "0.3"], "support {0, 1, ..., 30}", st.binom(30, 0.3)),
    (["discreteuniform", "--low", "2", "--high", "9"], "support {2, 3, ..., 9}", st.randint(2, 10)),
    (["gamma", "--concentration", "2", "--rate", "1"], "support (0, inf)", None),
    (["hurdlegamma", "--gate", "0.3", "--concentration", "2", "--rate", "1"], "support [0, inf)", None),
]


@pytest.mark.parametrize("args, line, oracle", CASES)
def test_support_line(run, args, line, oracle):
    result = run("summarize", *args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == line
    if oracle is not None:  # the set written is scipy's support
        lo, hi = oracle.support()
        assert line.startswith("support {" + str(int(lo)))
        assert (hi == float("inf")) == line.endswith("...}")
