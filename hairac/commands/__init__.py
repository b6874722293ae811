"""One module per `hairac` sub-command; each exposes `register(subparsers)`."""
