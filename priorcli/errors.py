"""Domain exceptions. The library raises these and never prints; the CLI maps them to exit codes."""

from __future__ import annotations


class PriorError(Exception):
    """Base class: a request priorcli cannot meet. ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class UsageError(PriorError):
    """Malformed request: unknown family/parameter/transform, bad number, constraint violated (exit 2)."""

    exit_code = 2


class InfeasibleError(PriorError):
    """Well-formed targets that cannot hold together (exit 1)."""

    exit_code = 1


class ConvergenceError(PriorError):
    """A numerical solver did not converge or missed its targets (exit 1)."""

    exit_code = 1


class InputError(PriorError):
    """An input file that cannot be read or parsed (exit 1)."""

    exit_code = 1


class OutputError(PriorError):
    """An output file that cannot be written or put in place (exit 1)."""

    exit_code = 1


class PriorWarning(UserWarning):
    """Something the user should know that does not stop the run (a cache left unused); the CLI
    prints it as one ``Warning: ...`` line on stderr."""
