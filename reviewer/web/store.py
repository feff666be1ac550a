"""Recent reviews kept in memory so that an export can apply the reviewer's edits
to the full Review (with its tables), not to a copy sent back by the browser."""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict

from reviewer.models import Review


class ReviewStore:
    def __init__(self, capacity: int = 32):
        self.capacity = capacity
        self._items: OrderedDict[str, Review] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, review: Review) -> str:
        review_id = secrets.token_urlsafe(12)
        with self._lock:
            self._items[review_id] = review
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return review_id

    def get(self, review_id: str) -> Review | None:
        with self._lock:
            review = self._items.get(review_id)
            if review is not None:
                self._items.move_to_end(review_id)
            return review
