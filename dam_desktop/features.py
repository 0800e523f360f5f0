"""Which optional features this installation has.

The lite package ships without torch; the window hides model features (AI tagging, semantic and
"find similar" search) there and says why. Checking must stay cheap: it looks for torch without
importing it, so start-up never pays for torch.
"""

from __future__ import annotations

import importlib.util

MODEL_FEATURES_UNAVAILABLE_NOTE = (
    "Model features (AI tagging, semantic search, find similar) are not part of this installation. "
    "Install the full dam-desktop package to use them."
)


def model_features_available() -> bool:
    """True when torch can be imported here (full package or a dev venv with requirements/ml.txt)."""
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False
