"""`python -m lenet`: the command line (lenet/cli.py: train, evaluate, export, ...)."""
import sys

from .cli import main

sys.exit(main())
