"""dam-desktop: a desktop asset browser over an SQLite-backed Entity-Component-System world."""

__version__ = "0.1.0"
