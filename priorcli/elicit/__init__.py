"""Several experts' judgements on one quantity (``priorcli elicit SESSION.toml``): the session file
(:mod:`~priorcli.elicit.session`), each expert's ranked fit and feedback (:mod:`~priorcli.elicit.fit`),
the linear and logarithmic pools and PreliZ's ``combine`` (:mod:`~priorcli.elicit.pool`), and the
roulette's chips as quantile judgements (:mod:`~priorcli.elicit.roulette`, which explore's roulette
uses too). Below the commands and explore, above the ranking; writes nothing."""
