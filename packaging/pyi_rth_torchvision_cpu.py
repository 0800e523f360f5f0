"""PyInstaller runtime hook of the full CPU flavour: let torchvision import beside a CPU-only torch.

The only torchvision wheel that pip can fetch here is the CUDA build; its C++ extension links
libtorch_cuda and cannot load beside the CPU torch we bundle (so the spec leaves it out). Without it
torchvision still imports its Python code (open_clip uses only torchvision.transforms), except that
`torchvision._meta_registrations` registers fake kernels for the `torchvision::nms` and `qnms`
operators, which then do not exist. This hook declares those two operator schemas, without kernels,
the first time torchvision is imported. It imports torch only at that moment, so start-up stays
torch-free.
"""

from __future__ import annotations

import sys
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from typing import Any

_SCHEMAS = (
    "nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
)


class _DeclareTorchvisionOperators(MetaPathFinder):
    library: Any = None  # a torch.library.Library must stay alive for its definitions to stay

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if fullname != "torchvision":
            return None
        sys.meta_path.remove(self)
        import torch  # noqa: TID251  (only when torchvision is imported)

        torch_library: Any = torch.library  # untyped in torch's stubs
        library = torch_library.Library("torchvision", "FRAGMENT")
        for schema in _SCHEMAS:
            name = schema.split("(", 1)[0]
            if not hasattr(torch.ops.torchvision, name):
                library.define(schema)
        type(self).library = library
        return None  # the ordinary finders import torchvision itself


sys.meta_path.insert(0, _DeclareTorchvisionOperators())
