"""Near-duplicates: perceptual-hash pairs by multi-index hashing, and groups of images and sounds."""
