"""The Models dialog (Preferences › Models…): the catalogue's weights, downloaded or imported."""
