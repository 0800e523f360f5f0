"""The frozen app's entry point: the same `dam_desktop.launch:main` the `dam-desktop` script runs.

With DAM_DESKTOP_PACKAGE_SELF_CHECK=1 it instead checks, from inside the installed bundle, that
what the flavour promises loads: the smoke test uses it to prove the full package runs the model
stack on the CPU without a Python setup of its own.
"""

from __future__ import annotations

import multiprocessing
import os
import sys


def package_self_check() -> int:
    from dam_desktop.features import model_features_available
    from dam_desktop.paths import migrations_dir, resources_dir

    print(f"self-check: resources {resources_dir().is_dir()}, migrations {migrations_dir().is_dir()}")
    if not model_features_available():
        print("self-check: model features: absent (lite)")
        return 0
    import open_clip
    import torch  # noqa: TID251  (inside the function, as the rule asks)
    from PIL import Image
    from transformers import ClapModel

    from dam_desktop.ml.minilm import load_minilm

    product = torch.ones(64, 64) @ torch.ones(64, 64)
    print(f"self-check: torch {torch.__version__}, cuda {torch.cuda.is_available()}, {product[0, 0]:.0f}")
    model, _, preprocess = open_clip.create_model_and_transforms("RN50", pretrained=None)
    with torch.no_grad():
        image = model.encode_image(preprocess(Image.new("RGB", (64, 48))).unsqueeze(0))
    print(f"self-check: open_clip image embedding {tuple(image.shape)}")
    text = load_minilm().encode(["a cat on a sofa"])
    print(f"self-check: MiniLM text embedding {text.shape}, bundled weights")
    print(f"self-check: transformers {ClapModel.__name__} loads")
    print("self-check: model features: ok")
    return 0


if __name__ == "__main__":
    multiprocessing.freeze_support()
    if os.environ.get("DAM_DESKTOP_PACKAGE_SELF_CHECK") == "1":
        sys.exit(package_self_check())
    from dam_desktop.launch import main

    sys.exit(main())
