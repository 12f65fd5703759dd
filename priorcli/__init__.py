"""priorcli: a command-line prior explorer for numpyro, Stan and PyMC users."""

__version__ = "0.1.0"
