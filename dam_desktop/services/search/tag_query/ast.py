"""The query's syntax tree: what the parser produces and the compiler consumes.

A `Term` is one word of the query. `key` is the part before the first unquoted ':' (lower-cased),
or None for a bare word; `op` is the comparison that follows the colon (`>`, `>=`, `<`, `<=`, `=`),
`value` the rest. Whether `character:alice` is a namespaced tag or `width:>10` a property is the
compiler's business (its term registry), not the parser's.
"""

from __future__ import annotations

from dataclasses import dataclass

COMPARISON_OPS = (">=", "<=", ">", "<", "=")


@dataclass(frozen=True)
class Term:
    key: str | None
    value: str
    op: str = "="
    quoted: bool = False
    wildcard: bool = False
    position: int = 0
    length: int = 1

    @property
    def text(self) -> str:
        """The term as a tag name: `ns:value` or `value`."""
        return f"{self.key}:{self.value}" if self.key is not None else self.value

    def render(self) -> str:
        value = self.value
        if self.quoted:
            value = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        op = "" if self.op == "=" else self.op
        return f"{self.key}:{op}{value}" if self.key is not None else value


@dataclass(frozen=True)
class Not:
    child: Node
    position: int = 0

    def render(self) -> str:
        return "-" + _render_operand(self.child)


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]

    def render(self) -> str:
        return " ".join(_render_operand(c) for c in self.children)


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]

    def render(self) -> str:
        return " | ".join(_render_operand(c) for c in self.children)


@dataclass(frozen=True)
class MatchAll:
    """The empty query: every asset."""

    def render(self) -> str:
        return ""


Node = Term | Not | And | Or | MatchAll


def _render_operand(node: Node) -> str:
    if isinstance(node, And | Or):
        return f"({node.render()})"
    return node.render()


def render(node: Node) -> str:
    """Query text that parses back to an equivalent tree."""
    return node.render()
