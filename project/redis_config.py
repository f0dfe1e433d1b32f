"""Where Redis is, from the environment: REDIS_URL, the seed's REDIS_HOST/PORT/PASSWORD/DB,
REDIS_SENTINELS, or else the embedded server under var/redis/."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote


def redis_connection_config(env: Mapping[str, str], embedded_url: str) -> dict[str, Any]:
    """A django-rq RQ_QUEUES connection entry."""
    if env.get("REDIS_SENTINELS"):
        # "host1:26379,host2:26379" — django-rq asks the sentinels for the current master.
        sentinels = []
        for pair in env["REDIS_SENTINELS"].split(","):
            host, _, port = pair.strip().rpartition(":")
            sentinels.append((host, int(port)))
        config: dict[str, Any] = {
            "SENTINELS": sentinels,
            "MASTER_NAME": env.get("REDIS_SENTINEL_MASTER", "mymaster"),
            "DB": int(env.get("REDIS_DB", "0")),
        }
        if env.get("REDIS_PASSWORD"):
            config["PASSWORD"] = env["REDIS_PASSWORD"]
        return config
    if env.get("REDIS_URL"):
        return {"URL": env["REDIS_URL"]}
    if env.get("REDIS_HOST") or env.get("REDIS_PORT"):
        password = env.get("REDIS_PASSWORD", "")
        auth = f":{quote(password, safe='')}@" if password else ""
        host = env.get("REDIS_HOST", "localhost")
        port = env.get("REDIS_PORT", "6379")
        return {"URL": f"redis://{auth}{host}:{port}/{env.get('REDIS_DB', '0')}"}
    return {"URL": embedded_url}


def describe(config: Mapping[str, Any]) -> str:
    """The address to name in error messages, without the password."""
    if "SENTINELS" in config:
        hosts = ", ".join(f"{h}:{p}" for h, p in config["SENTINELS"])
        return f"sentinels {hosts} (master {config['MASTER_NAME']})"
    url = str(config.get("URL", ""))
    if "@" in url:
        scheme, _, rest = url.partition("://")
        url = f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
