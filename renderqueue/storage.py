"""Storage for rendered images."""

from __future__ import annotations

import os
import tempfile
from typing import Any

from django.core.files.storage import FileSystemStorage, Storage, storages

from renderqueue import conf


class AtomicFileSystemStorage(FileSystemStorage):
    """FileSystemStorage whose files appear whole or not at all.

    Django's FileSystemStorage writes straight into the final path, so a reader (or a crash)
    can meet a half-written image. Here the bytes go to a temporary file in the same folder
    and are renamed into place, which POSIX makes atomic.
    """

    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        # Pick the final name first (get_available_name already ran in save()); O_EXCL-create it
        # so two writers never pick the same one, then atomically replace it with the full file.
        while True:
            try:
                fd = os.open(full_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                os.close(fd)
                break
            except FileExistsError:
                name = self.get_available_name(name)
                full_path = self.path(name)
        tmp_fd, tmp_path = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(tmp_fd, "wb") as tmp:
                if hasattr(content, "chunks"):
                    for chunk in content.chunks():
                        tmp.write(chunk)
                else:
                    tmp.write(content.read())
                tmp.flush()
                os.fsync(tmp.fileno())
            os.chmod(tmp_path, 0o644)
            os.replace(tmp_path, full_path)
        except BaseException:
            if os.path.exists(tmp_path):
                os.unlink(tmp_path)
            if os.path.exists(full_path) and os.path.getsize(full_path) == 0:
                os.unlink(full_path)
            raise
        return str(name).replace("\\", "/")


def output_storage() -> Storage:
    return storages[conf.get("STORAGE")]
