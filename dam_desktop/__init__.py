"""dam-desktop: a desktop asset browser over an SQLite-backed Entity-Component-System world."""

import time

__version__ = "0.1.0"

# The first thing this package does: a monotonic stamp that start-up clocks count from where the
# operating system does not say when the process began (dam_desktop.app.process_seconds).
IMPORTED_MONOTONIC = time.monotonic()
