"""Embeddings and the searches over them: text, image and sound."""
