"""LKJCholesky(dimension, concentration): the LKJ prior on the Cholesky factor L of a correlation
matrix R = L L^T (numpyro's and Stan's recommended form). Its maths is LKJ's
(:mod:`priorcli.records.lkj`); a model variable drawn from it holds L's elements below the diagonal,
of which the first column (L[i,0] = R[i,0]) has the exact marginal of a correlation.
"""

from __future__ import annotations

from priorcli.records.lkj import FORMULAS, family_record

RECORD = family_record(
    "LKJCholesky", True, "K x K lower-triangular Cholesky factors of correlation matrices",
    FORMULAS + ("a model variable holds L[i,j] (i > j); L[i,0] = R[i,0] has the marginal above",),
    "priorcli sample lkjcholesky --dimension 4 --eta 2 -n 20000",
)
SCIPY = None
