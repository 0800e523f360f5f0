"""One module per subcommand; see `dam_desktop.cli.main`."""
