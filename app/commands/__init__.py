"""One module per `backmap` subcommand; each has `register(subparsers)` and sets `func` on its parser."""
