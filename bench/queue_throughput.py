"""Jobs per second through real workers, and the per-job overhead beyond rendering.

Starts a private redis-server and a throw-away SQLite database, enqueues N single renders of a
small banner, runs `render_queue worker --burst`, and reports wall time per job.

    .venv/bin/python -m bench.queue_throughput [--jobs 200] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()

    from renderqueue.testing.redis_server import RedisServer, free_port

    with tempfile.TemporaryDirectory(prefix="renderqueue-bench-") as tmp:
        redis = RedisServer(data_dir=Path(tmp) / "redis", port=free_port()).start()
        env = {
            **os.environ,
            "REDIS_URL": redis.url,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "MEDIA_ROOT": f"{tmp}/media",
            "DJANGO_SETTINGS_MODULE": "project.settings",
            "RENDERQUEUE_LOG": "WARNING",
        }
        os.environ.update(env)
        try:
            import django

            django.setup()
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            call_command("render_queue", "load-samples", stdout=io.StringIO())
            from renderqueue.models import Composition, RenderOutput
            from renderqueue.queue import RenderQueue

            Composition.objects.filter(pk="simple-ad").update(width=300, height=250)
            queue = RenderQueue()
            for _ in range(args.jobs):
                queue.add_single_render_job("simple-ad", {"format": "jpeg", "quality": 80})
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "render_queue",
                    "worker",
                    "--burst",
                    "--concurrency",
                    str(args.concurrency),
                ],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            wall = time.perf_counter() - start
            render_ms = sum(RenderOutput.objects.values_list("duration_ms", flat=True))
            stats = queue.get_stats()
            print(
                f"{stats['completed']}/{args.jobs} completed with {args.concurrency} workers in {wall:.2f}s "
                f"(including worker start-up): {args.jobs / wall:.0f} jobs/s, "
                f"{wall * 1000 * args.concurrency / args.jobs:.1f} ms per job per worker, "
                f"of which rendering+saving {render_ms / args.jobs:.1f} ms"
            )
        finally:
            redis.stop()


if __name__ == "__main__":
    main()
