"""`python -m hairac` runs the command line."""

from hairac.cli import main

raise SystemExit(main())
