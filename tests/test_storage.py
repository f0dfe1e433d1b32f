from __future__ import annotations

import os

import pytest
from django.core.files.base import ContentFile

from renderqueue.storage import AtomicFileSystemStorage


class Exploding(ContentFile):
    def chunks(self, chunk_size=None):
        yield b"half an image"
        raise OSError("disk full")


def test_save_writes_whole_file(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    name = storage.save("renders/a.png", ContentFile(b"x" * 10_000))
    assert storage.size(name) == 10_000
    assert [p.name for p in (tmp_path / "renders").iterdir()] == ["a.png"]


def test_failed_write_leaves_no_partial_file(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    with pytest.raises(OSError, match="disk full"):
        storage.save("renders/a.png", Exploding(b""))
    assert os.listdir(tmp_path / "renders") == []


def test_name_clash_gets_a_new_name(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    first = storage.save("r/a.png", ContentFile(b"1"))
    second = storage.save("r/a.png", ContentFile(b"2"))
    assert first != second
    assert storage.open(first).read() == b"1" and storage.open(second).read() == b"2"
