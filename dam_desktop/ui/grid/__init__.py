"""The thumbnail grid: model, view, delegate, and the thumbnail cache and loader."""
