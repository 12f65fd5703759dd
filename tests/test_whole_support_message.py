"""A target outside every support a scanned whole number gives (Binomial's total_count free) is
refused naming the family's support over all n, not the support of the first n tried."""

import pytest

from conftest import assert_usage_error


@pytest.mark.parametrize("family, held", [("binomial", ("--probs", "0.3")),
                                          ("betabinomial", ("--concentration1", "2", "--concentration0", "3"))])
def test_mean_below_zero_names_the_support_over_every_total_count(run, family, held):
    result = run("solve", family, *held, "--mean", "-1")
    assert_usage_error(result, "mean=-1", "(0, inf)", code=2)
    assert "(0, 1)" not in result.stderr
