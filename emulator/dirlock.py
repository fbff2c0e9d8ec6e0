"""One data directory, one emulator: an advisory lock (`flock`) on `cognito.lock` in the
data directory, held as long as a store is open on it. Two servers on one directory would
each run their own group commit on the same file and see each other's pools appear; the
second one is refused instead, told which process holds the directory. The kernel drops
the lock when its holder exits, however it exits, so a killed server leaves nothing stale."""

from __future__ import annotations

import os
from pathlib import Path

from .settings import shown

try:
    import fcntl
except ImportError:  # Windows: no flock; the directory is not guarded there
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = "cognito.lock"


class DataDirInUse(Exception):
    def __init__(self, data_dir: Path, pid: int | None) -> None:
        holder = f"PID {pid}" if pid else "a process that has not written its PID yet"
        super().__init__(f"the data directory {shown(data_dir)} is in use by another cognito-emulator ({holder})")
        self.data_dir = data_dir
        self.pid = pid


class DirLock:
    """Held from construction until `release()`; the file keeps the holder's PID."""

    def __init__(self, data_dir: Path) -> None:
        self._fd: int | None = None
        if fcntl is None:
            return
        fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            raise DataDirInUse(data_dir, int(holder) if holder.isdigit() else None) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None
