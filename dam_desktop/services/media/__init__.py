"""Decoding media: probing files, thumbnails and waveforms."""
