"""``priorcli explore``: an interactive prior explorer in the terminal.

``state`` (parameters, targets, family switch, summaries) and ``roulette`` (chips -> ranked fits,
in :mod:`priorcli.explore.roulette`) are plain Python and importable without Textual; only ``app`` imports
Textual, and only :func:`priorcli.explore.run.explore` imports ``app`` (lazily), so no other
command pays for it.
"""
