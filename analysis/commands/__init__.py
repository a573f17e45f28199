"""One module per `python -m analysis` sub-command; each has `register(subparsers)`."""
