"""fieldrep's local store: durable files, in-memory indexes, search, the follow-up queue.

``from cache import Store, StoreLocked, StoreError, NotFound, Ambiguous, ValidationFailed``
"""

from cache.errors import Ambiguous, NotFound, StoreError, StoreLocked, ValidationFailed
from cache.store import Store

__all__ = ["Ambiguous", "NotFound", "Store", "StoreError", "StoreLocked", "ValidationFailed"]
