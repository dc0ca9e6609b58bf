"""What the app stored, read back through Django's storage API only — the filesystem in
the suite, an S3-compatible object store in a cluster — never through paths."""
from __future__ import annotations

from nominations.models.applications import private_storage


def stored_files(prefix: str = "") -> set[str]:
    """Names of every file under `prefix` in the private storage (recursive)."""
    storage = private_storage()

    def walk(folder: str) -> set[str]:
        try:
            dirs, files = storage.listdir(folder)
        except FileNotFoundError:
            return set()
        join = (lambda name: f"{folder}/{name}") if folder else (lambda name: name)
        names = {join(name) for name in files}
        for name in dirs:
            names |= walk(join(name))
        return names

    return walk(prefix.strip("/"))


def read_stored(name: str) -> bytes:
    with private_storage().open(name, "rb") as handle:
        return handle.read()
