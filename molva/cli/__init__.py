"""The ``molva`` console script: one small module per subcommand in :mod:`molva.cli.commands`."""
