"""The right-hand inspector: preview, audio player, properties."""
