"""`python -m pipeline.cli`: the same as the `newsdigest` console script."""

from . import main

main()
