"""The `dam-desktop` command: the GUI when called bare, headless subcommands otherwise."""
