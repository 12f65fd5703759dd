"""Every byte of output: rich tables, plotext plots, JSON/CSV/raw (:mod:`.output`), and output
files put in place whole (:mod:`.outfile`: the start-of-run check, the temporary file, the
no-replace final step, the pending files the signal handlers remove). With :mod:`priorcli.cli` the
only writers. May import :mod:`priorcli.stats` (the result dataclasses it draws) and
:mod:`priorcli.errors`.
"""
