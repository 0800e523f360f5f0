"""Asking long work to stop: a flag any thread may set and the work reads between batches."""

from __future__ import annotations

import threading


class CancelToken:
    """Asks a running job (an import, a check, a relink) to stop; safe to call from any thread."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()
