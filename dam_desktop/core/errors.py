"""Errors the kernel raises, and the errors that cross layers (a query the user typed, a tag name
that cannot be used): each names what failed and why."""

from __future__ import annotations


class DamError(Exception):
    """Base of every error dam-desktop raises on purpose."""


class DependencyResolutionError(DamError):
    """A system asks for a parameter the world cannot provide (raised at registration)."""

    def __init__(self, system_name: str, parameter: str, reason: str) -> None:
        super().__init__(f"system '{system_name}': cannot inject parameter '{parameter}': {reason}")
        self.system_name = system_name
        self.parameter = parameter


class SystemExecutionError(DamError):
    """A system raised while running; names the system and carries the cause."""

    def __init__(self, system_name: str, cause: BaseException) -> None:
        super().__init__(f"system '{system_name}' failed: {type(cause).__name__}: {cause}")
        self.system_name = system_name
        self.cause = cause


class ResourceNotFoundError(DamError):
    def __init__(self, resource_type: type) -> None:
        super().__init__(f"no resource of type {resource_type.__qualname__} is registered in this world")
        self.resource_type = resource_type


class LibraryLockedError(DamError):
    """Another process has the library open for writing."""


class LibraryError(DamError):
    """The library folder or its database cannot be opened or upgraded."""


class SystemDeferred(DamError):
    """Raised by a system that cannot run yet for a reason that is not its entities' fault (the
    model's weights are not on this computer). The scheduler leaves every marker as it is, with no
    attempt counted, and skips the system's remaining batches, so the work resumes by itself once
    the reason is gone."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnsafePathError(DamError, OSError):
    """A path from the database or a file name would lead outside the folder it belongs to.

    An OSError too, so every writer's existing "could not write X: reason" handling reports it.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class LibraryWriteError(DamError):
    """The library cannot be written to: its disk is full, or its folder or database is read-only.

    Whatever was already committed stays; the operation that hit it stops.
    """


class DiskFullError(LibraryWriteError):
    """No space left where the library keeps its files or its database."""


class LibraryDamagedError(LibraryError):
    """SQLite found the library's database damaged; the library is read-only in this process."""


class QueryError(DamError):
    """A query that cannot be run. `position` is the 0-based character offset the error points at.

    `str(error)` is one line meant for people: "position 5: expected ')' to close '(' at 0".
    """

    def __init__(self, message: str, position: int, length: int = 1) -> None:
        super().__init__(f"position {position}: {message}")
        self.message = message
        self.position = position
        self.length = max(1, length)


class QuerySyntaxError(QueryError):
    """The text does not follow the grammar (unbalanced parentheses, a dangling '-' or '|')."""


class QueryTermError(QueryError):
    """A term is well formed but its value is not (`width:>abc`, `size:>10XB`, `added:>2026-13-01`)."""


class QueryLimitError(QueryError):
    """A query nested deeper or longer than the compiler and SQLite can take (`MAX_DEPTH`, `MAX_TERMS`)."""


class QueryEncodingError(QueryError):
    """The query text holds bytes that are not UTF-8 (they reach Python as lone surrogates)."""


class TagError(DamError):
    """A tag operation that cannot be done, with a message for people."""


class TagNotFoundError(TagError):
    pass


class TagNameError(TagError):
    pass


class TagCycleError(TagError):
    """Making the parent link would let a tag imply itself."""
