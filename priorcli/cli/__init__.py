"""The command line: the Typer app (:mod:`.typer_app`, one function per command), the options
the commands share (:mod:`.params`) and the process edge (:mod:`.edge`: signals, pipes, closed
descriptors, the ``Error:`` line and exit codes, the fast exit). The only package that knows
Typer, and with :mod:`priorcli.render` the only one that writes to the terminal. It may import
everything below it (:mod:`priorcli.commands`, :mod:`priorcli.explore`, :mod:`priorcli.families`
for help and completion, :mod:`priorcli.errors`, the package root for ``__version__``); nothing but
``priorcli.__main__`` imports it.

``app``, ``run`` and ``main`` (the console script ``priorcli.cli:main``) are re-exported here.
"""

from priorcli.cli.typer_app import app, main, run

__all__ = ["app", "main", "run"]
