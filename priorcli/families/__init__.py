"""The families: the registry discovered from numpyro (:mod:`.registry`: names, parameters,
constraints, supports; ``resolve``; the one parser of family-dependent ``--name value`` pairs with
aliases, targets and constraint checks), the ``Targets`` dataclass (:mod:`.targets`),
``--transform`` names (:mod:`.transforms`), what ``FAMILY --help`` and completion say about a
family (:mod:`.help`), numpyro's docstrings as plain text (:mod:`.doctext`) and the base of a family
whose record is built, not read (:mod:`.built`: the metalog's, the mixture's). The layer above
the records: it may import only :mod:`priorcli.records`, :mod:`priorcli.errors` and
:mod:`priorcli.cachedirs`.
"""
