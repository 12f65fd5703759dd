"""A family's log density at one float, as its array path computes it (``base._wrap_logpdf``'s
``on_arrays``: the core on x and the parameters as 0-d arrays), without the broadcasting and
masking that cost most of a scalar call: the same float bit for bit, for the many scalar calls of
a quadrature (``priorcli.stats.numeric.quad_expectation``). numpy's arithmetic on 0-d arrays is
not always its arithmetic on numbers or on longer arrays (x ** 2: pow(x, 2) on a 0-d array, x * x
on an array), so neither ``logpdf.at`` nor a vectorised call is a substitute for it."""

from __future__ import annotations

import math


def zero_d(core, bind, support, discrete: bool, on_arrays):
    """``zero_d(*params)(x) == float(logpdf(np.asarray(x), *params))`` for a float x."""

    def bound(*args, **kwargs):
        import numpy as np  # here: importing the records loads neither numpy nor scipy

        p, _ = bind(args, kwargs)
        p0 = {k: np.asarray(v, dtype=np.float64) for k, v in p.items()}
        lo, hi = (float(v) for v in support(**p0))

        def one(x):  # the core on 0-d arrays, as on_arrays calls it inside the support
            if lo <= x <= hi and not (discrete and x != math.floor(x)):
                with np.errstate(all="ignore"):
                    return float(core(np.asarray(x, dtype=np.float64), **p0))
            return float(on_arrays(np.asarray(x, dtype=np.float64), p))

        return one

    return bound
