"""``python -m unbounded_lint.evidence.run TARGET...``: run TARGET with the probe (see ``bootstrap``).

A module of its own so that ``-m`` never runs a second copy of ``bootstrap``, which the
injected ``sitecustomize`` has usually imported already.
"""

from .bootstrap import main

main()
