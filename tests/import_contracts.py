"""An import-linter contract type the built-in ones cannot express: "import these only lazily".

The house rule is that torch-backed code (`dam_desktop.ml`) is reached through the model manager
and imported inside the functions that need it, so that importing the app or opening the window
never loads a model library. A `forbidden` contract would reject the lazy imports that hand the
model manager its loaders; this one rejects only imports that run when the importing module is
imported (at module level, outside `if TYPE_CHECKING:`).
"""

from __future__ import annotations

import ast
import importlib.util
from functools import cache
from pathlib import Path
from typing import Any

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


@cache
def _eager_import_lines(path: Path) -> frozenset[int]:
    """Line numbers of the import statements that run when the module is imported."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    eager: set[int] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue  # runs when called, not when imported
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for orelse in child.orelse:
                    visit(orelse)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                eager.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
            visit(child)

    visit(tree)
    return frozenset(eager)


def _module_file(module: str) -> Path | None:
    root, _, rest = module.partition(".")
    spec = importlib.util.find_spec(root)
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(next(iter(spec.submodule_search_locations))).joinpath(*rest.split(".")) if rest else None
    if base is None:
        return Path(next(iter(spec.submodule_search_locations))) / "__init__.py"
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


class LazyOnlyContract(Contract):
    """`source_modules` may import `lazy_modules` (and their children) only inside functions;
    `allowed_modules` (the model manager, the lazy modules themselves) may import them anyhow."""

    source_modules = fields.ListField(subfield=fields.ModuleExpressionField())
    lazy_modules = fields.ListField(subfield=fields.ModuleField())
    allowed_modules = fields.ListField(subfield=fields.ModuleField(), required=False)
    # Modules inside `lazy_modules` that may be imported anyhow (data and files, no torch behind them).
    exempt_modules = fields.ListField(subfield=fields.ModuleField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        lazy = [m.name for m in self.lazy_modules]  # type: ignore[attr-defined]
        allowed = [m.name for m in (self.allowed_modules or [])]  # type: ignore[attr-defined]
        exempt = [m.name for m in (self.exempt_modules or [])]  # type: ignore[attr-defined]
        sources = [str(e.expression) for e in self.source_modules]  # type: ignore[attr-defined]

        def inside(module: str, roots: list[str]) -> bool:
            return any(module == r or module.startswith(r + ".") for r in roots)

        def is_source(module: str) -> bool:
            return any(
                module == s or (s.endswith(".*") and module.startswith(s[:-1])) or module.startswith(s + ".")
                for s in sources
            )

        eager: list[dict[str, Any]] = []
        for importer in sorted(graph.modules):
            if not is_source(importer) or inside(importer, lazy) or inside(importer, allowed):
                continue
            path = _module_file(importer)
            if path is None or not path.is_file():
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                if not inside(imported, lazy) or inside(imported, exempt):
                    continue
                for detail in graph.get_import_details(importer=importer, imported=imported):
                    if detail["line_number"] in _eager_import_lines(path):
                        eager.append(
                            {"importer": importer, "imported": imported, "line": detail["line_number"]}
                        )
        return ContractCheck(kept=not eager, metadata={"eager": eager})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for item in check.metadata["eager"]:
            output.print_error(
                f"{item['importer']} imports {item['imported']} at module level (line {item['line']}); "
                "import it inside the function that needs it"
            )
            output.new_line()


def _imported_names(path: Path) -> list[tuple[int, str, str]]:
    """(line, module, name) of every `from module import name` in the file, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.extend((node.lineno, node.module, alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, "") for alias in node.names)
    return found


def _is_value_type(module: str, name: str) -> bool:
    """Whether `module.name` is something a front end may name without calling into the layer:
    a class (a dataclass, an enum, an error), a type alias or a constant, not a function or a
    module. Errors and results cross layers; the actions stay behind the use cases."""
    import importlib
    import inspect

    if not name:
        return False  # `import dam_desktop.services.x`: the whole module
    owner = importlib.import_module(module)
    value = getattr(owner, name, None)
    if value is None:
        try:
            importlib.import_module(f"{module}.{name}")
        except ImportError:
            return True  # not found: the type checker reports it, not this contract
        return False  # a submodule
    return not (inspect.ismodule(value) or inspect.isroutine(value))


class CallsOnlyUseCasesContract(Contract):
    """`source_modules` (the window and the CLI) may name values and types from `layers` but may
    not import their functions or modules: every action goes through a use case, which owns its
    transaction and tells the world what changed."""

    source_modules = fields.ListField(subfield=fields.ModuleExpressionField())
    layers = fields.ListField(subfield=fields.ModuleField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        layers = [m.name for m in self.layers]  # type: ignore[attr-defined]
        sources = [str(e.expression).removesuffix(".*").removesuffix(".**") for e in self.source_modules]  # type: ignore[attr-defined]

        def inside(module: str, roots: list[str]) -> bool:
            return any(module == r or module.startswith(r + ".") for r in roots)

        calls: list[dict[str, Any]] = []
        for importer in sorted(graph.modules):
            if not inside(importer, sources):
                continue
            path = _module_file(importer)
            if path is None or not path.is_file():
                continue
            for line, module, name in _imported_names(path):
                if inside(module, layers) and not _is_value_type(module, name):
                    calls.append(
                        {"importer": importer, "imported": f"{module}.{name}".rstrip("."), "line": line}
                    )
        return ContractCheck(kept=not calls, metadata={"calls": calls})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for item in check.metadata["calls"]:
            output.print_error(
                f"{item['importer']} imports {item['imported']} (line {item['line']}), a function or "
                "module behind the use cases; call a use case in dam_desktop.use_cases instead"
            )
            output.new_line()
