"""One function per command: parse the arguments the CLI hands over, compute through the
library, hand the results to :mod:`priorcli.render`. :mod:`.family` has sample, summarize, solve,
compare, list and info of families given by ``--name value`` pairs; :mod:`.model` is ``sample
--model`` and its ``--emit``; :mod:`.input_summary` is ``summarize --input``; :mod:`.ranked` is
``solve --family`` and ``summarize --input --fit`` over several families; :mod:`.options` parses
the shared output options once. May import every library package (api, families, stats,
sampling, model, solving, fitting, emit, readers, plot, ranking, render); only :mod:`priorcli.cli`
imports it.
"""
