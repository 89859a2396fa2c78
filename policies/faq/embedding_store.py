"""Phrasing embeddings kept on disk between runs: embedding a phrasing costs ~30 ms on a small CPU, so a
knowledge base of 1,000 entries (6,000 phrasings) would take three minutes to start without it. One SQLite
file (the standard library's sqlite3: a key-value table needs nothing more) keyed by the model and a hash
of the text, so a new model or an edited phrasing is embedded afresh.

It lives in $MODBOT_CACHE_DIR, else $XDG_CACHE_HOME/modbot, else ~/.cache/modbot. A cache that cannot be
opened or written (a read-only home) costs only the time: the vectors are then computed every start."""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    if folder := os.environ.get("MODBOT_CACHE_DIR"):
        return Path(folder)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "modbot"


class EmbeddingStore:
    def __init__(self, model: str, path: Path | None = None) -> None:
        self._model = model
        self._db: sqlite3.Connection | None = None
        path = path or cache_dir() / "embeddings.sqlite3"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=10)
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)"
            )
        except (OSError, sqlite3.Error) as exc:
            log.warning("embeddings are not kept between runs: %s", exc)
            self._db = None

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self._model}\0{text}".encode()).hexdigest()

    def get(self, text: str) -> np.ndarray | None:
        if self._db is None:
            return None
        row = self._db.execute("SELECT vector FROM vectors WHERE key = ?", (self._key(text),)).fetchone()
        return np.frombuffer(row[0], dtype=np.float32) if row else None

    def put(self, text: str, vector: np.ndarray) -> None:
        """Kept once `commit` is called (one transaction for a whole knowledge base)."""
        if self._db is None:
            return
        blob = np.asarray(vector, dtype=np.float32).tobytes()
        self._db.execute("INSERT OR REPLACE INTO vectors VALUES (?, ?)", (self._key(text), blob))

    def commit(self) -> None:
        if self._db is None:
            return
        try:
            self._db.commit()
        except sqlite3.Error as exc:  # a full or read-only disk: the vectors stay in memory only
            log.warning("embeddings were not kept: %s", exc)
            self._db.rollback()
