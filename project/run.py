"""`make run`: migrate, load samples, start Redis (embedded unless configured), workers and the
dev server; print where to go and how to log in; Ctrl-C stops everything cleanly."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ADMIN_PASSWORD_FILE = BASE_DIR / "var" / "admin-password.txt"


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, check=True)


def admin_password() -> str:
    if ADMIN_PASSWORD_FILE.exists():
        return ADMIN_PASSWORD_FILE.read_text().strip()
    password = secrets.token_urlsafe(9)
    ADMIN_PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
    ADMIN_PASSWORD_FILE.write_text(password + "\n")
    ADMIN_PASSWORD_FILE.chmod(0o600)
    return password


def main() -> int:
    os.chdir(BASE_DIR)
    (BASE_DIR / "var").mkdir(exist_ok=True)
    configured = any(os.environ.get(k) for k in ("REDIS_URL", "REDIS_HOST", "REDIS_PORT", "REDIS_SENTINELS"))
    embedded = None
    if not configured:
        from project.embedded_redis import embedded_server

        embedded = embedded_server()
        started_here = not embedded.ping()
        embedded.start(daemonize=True)
        print(f"Redis: embedded server at {embedded.url}")
    manage("migrate", "--no-input", "-v", "0")
    manage("render_queue", "load-samples")
    password = admin_password()
    script = (
        "from django.contrib.auth import get_user_model; U = get_user_model(); "
        "u = U.objects.filter(username='admin').first() or U(username='admin', email='admin@example.com'); "
        "u.is_staff = u.is_superuser = True; "
        f"u.set_password({password!r}); u.save()"
    )
    manage("shell", "-v", "0", "-c", script)

    port = os.environ.get("PORT", "8000")
    concurrency = os.environ.get("WORKERS", "2")
    children = [
        subprocess.Popen([PYTHON, "manage.py", "render_queue", "worker", "--concurrency", concurrency]),
        subprocess.Popen([PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]),
    ]
    print(
        f"\n  renderqueue is running: http://127.0.0.1:{port}/\n"
        f"  Log in as admin / {password}   (stored in {ADMIN_PASSWORD_FILE.relative_to(BASE_DIR)})\n"
        f"  Admin: http://127.0.0.1:{port}/admin/   RQ pages: http://127.0.0.1:{port}/django-rq/\n"
        f"  {concurrency} render workers. Press Ctrl-C to stop.\n",
        flush=True,
    )

    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(c.poll() is None for c in children):
        time.sleep(0.2)
    print("\nStopping: workers finish their current job…", flush=True)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            child.kill()
    if embedded is not None and started_here:
        embedded.stop()
        print("Embedded Redis stopped.")
    print("Stopped.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
