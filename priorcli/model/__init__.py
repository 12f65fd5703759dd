"""The model language of ``sample --model``: its vocabulary and expression tree
(:mod:`.tree`, pure Python), the parser (:mod:`.parse`, ``ast`` into a whitelist; the one name
callers import, re-exporting the others), evaluation on numpy arrays (:mod:`.evaluate`), the
language printed as numpyro source (:mod:`.source`), and its meeting with the registry and numpyro
(:mod:`.numpyro`: a distribution per statement, targets solved, ancestral sampling). The language
knows no family (it reads only ``--transform`` names from :mod:`priorcli.families`); only
:mod:`.numpyro` may import :mod:`priorcli.families`, :mod:`priorcli.records`, :mod:`priorcli.stats`
and :mod:`priorcli.solving`.
"""
