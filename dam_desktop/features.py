"""Which optional features this installation has.

The lite package ships without torch; the window hides model features (AI tagging, search by
meaning, image similarity) there and says why, while "Find Similar" on sounds keeps working (its
fingerprint needs only numpy). Checking must stay cheap: it looks for the packages without
importing them, so start-up never pays for torch.
"""

from __future__ import annotations

import importlib.util

MODEL_FEATURES_UNAVAILABLE_NOTE = (
    "Model features (AI tagging, search by meaning, similar images) are not part of this installation. "
    "Install the full dam-desktop package to use them."
)

# What the model features import: torch under all of them, open_clip for images and model tags,
# transformers for the text model and CLAP. One missing package hides them all, with one note.
MODEL_PACKAGES = ("torch", "open_clip", "transformers")


def missing_model_packages() -> list[str]:
    """The model packages this installation lacks (none in the full package or a dev venv)."""
    missing = []
    for name in MODEL_PACKAGES:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    return missing


def model_features_available() -> bool:
    """True when every model package can be imported here (full package or requirements/ml.txt)."""
    return not missing_model_packages()
