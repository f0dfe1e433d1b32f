from __future__ import annotations

from project.redis_config import describe, redis_connection_config


def test_embedded_default_when_nothing_is_set():
    assert redis_connection_config({}, "unix:///x/redis.sock") == {"URL": "unix:///x/redis.sock"}


def test_redis_url_wins_over_host():
    config = redis_connection_config({"REDIS_URL": "redis://a:1/2", "REDIS_HOST": "b"}, "unix:///x")
    assert config == {"URL": "redis://a:1/2"}


def test_seed_host_port_password_db():
    env = {"REDIS_HOST": "cache", "REDIS_PORT": "6380", "REDIS_PASSWORD": "p@ss", "REDIS_DB": "3"}
    config = redis_connection_config(env, "unix:///x")
    assert config == {"URL": "redis://:p%40ss@cache:6380/3"}
    assert describe(config) == "redis://***@cache:6380/3"


def test_sentinels():
    env = {"REDIS_SENTINELS": "s1:26379, s2:26380", "REDIS_SENTINEL_MASTER": "main", "REDIS_DB": "1"}
    config = redis_connection_config(env, "unix:///x")
    assert config == {"SENTINELS": [("s1", 26379), ("s2", 26380)], "MASTER_NAME": "main", "DB": 1}
