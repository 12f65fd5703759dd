"""Seeded draws: fixed-size chunks through ``numpyro.handlers.seed`` and the streaming summary
for draws that do not fit in memory (:mod:`.draws`), and the compiled single-chunk samplers kept on
disk so that small samples skip tracing (:mod:`.compiled`). May import :mod:`priorcli.stats`,
:mod:`priorcli.families`, :mod:`priorcli.cachedirs` and :mod:`priorcli.errors`.
"""
