"""Phrasing embeddings survive a restart, per model, and a cache that cannot be opened costs only time."""

from pathlib import Path

import numpy as np
import pytest

from policies.faq.embedding_store import EmbeddingStore, cache_dir


def test_a_vector_is_kept_between_runs_for_its_model(tmp_path: Path) -> None:
    path = tmp_path / "e.sqlite3"
    first = EmbeddingStore("model-a", path)
    first.put("как проверить баланс", np.arange(4, dtype=np.float32))
    first.commit()
    again = EmbeddingStore("model-a", path)
    kept = again.get("как проверить баланс")
    assert kept is not None and kept.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert again.get("как пополнить баланс") is None
    assert EmbeddingStore("model-b", path).get("как проверить баланс") is None  # another model, afresh


def test_an_uncommitted_vector_is_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "e.sqlite3"
    EmbeddingStore("m", path).put("текст", np.ones(2, dtype=np.float32))
    assert EmbeddingStore("m", path).get("текст") is None


def test_a_cache_that_cannot_be_opened_is_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = EmbeddingStore("m", blocker / "e.sqlite3")  # its folder is a file
    store.put("текст", np.ones(2, dtype=np.float32))
    store.commit()
    assert store.get("текст") is None
    assert "not kept between runs" in caplog.text


def test_the_cache_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MODBOT_CACHE_DIR", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv("MODBOT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert cache_dir() == tmp_path / "x" / "modbot"
