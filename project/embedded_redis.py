"""The embedded Redis that `make run` starts when no REDIS_URL/REDIS_HOST is configured.

python -m project.embedded_redis start|stop|status|url
"""

from __future__ import annotations

import sys
from pathlib import Path

from renderqueue.testing.redis_server import RedisServer

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / "var" / "redis"
# A unix socket cannot collide with another Redis on 6379, and nothing else on the machine can reach it.
SOCKET = DATA_DIR / "redis.sock"


def embedded_server() -> RedisServer:
    return RedisServer(data_dir=DATA_DIR, unix_socket=SOCKET, persistent=True)


def embedded_url() -> str:
    return embedded_server().url


def main(argv: list[str]) -> int:
    action = argv[1] if len(argv) > 1 else "status"
    server = embedded_server()
    if action == "start":
        was_running = server.ping()
        server.start(daemonize=True)
        print(f"Redis {'already running' if was_running else 'started'} at {server.url}")
    elif action == "stop":
        server.stop()
        print("Redis stopped")
    elif action == "status":
        print(f"Redis at {server.url}: {'running' if server.ping() else 'not running'}")
        return 0 if server.ping() else 1
    elif action == "url":
        print(server.url)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
