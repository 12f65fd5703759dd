"""priorcli's own numpyro ``Distribution`` classes, for the families numpyro lacks or gets
wrong (the home the next families need; empty so far). May import :mod:`priorcli.errors` and
numpyro/jax (inside functions or at module level here: only code that samples imports it).
"""
