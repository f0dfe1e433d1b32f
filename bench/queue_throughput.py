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
            # Keep every row so the run can be measured from them.
            "RENDERQUEUE_SETTINGS": '{"REMOVE_ON_COMPLETE": null}',
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
            from django.db.models import Max, Min

            from renderqueue.models import RenderJob

            span = RenderJob.objects.aggregate(first=Min("started_at"), last=Max("finished_at"))
            busy = (span["last"] - span["first"]).total_seconds()
            render_ms = sum(RenderOutput.objects.values_list("duration_ms", flat=True)) / args.jobs
            per_job = busy * 1000 * args.concurrency / args.jobs
            print(
                f"{queue.get_stats()['completed']}/{args.jobs} completed by {args.concurrency} workers; "
                f"{wall:.2f}s with start-up, {busy:.2f}s from first start to last finish: "
                f"{args.jobs / busy:.0f} jobs/s, {per_job:.1f} ms per job per worker, of which "
                f"render+encode+save {render_ms:.1f} ms and queue/DB overhead {per_job - render_ms:.1f} ms"
            )
        finally:
            redis.stop()


if __name__ == "__main__":
    main()
