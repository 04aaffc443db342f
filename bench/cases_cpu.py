"""CPU per request in process: the one-call API, the inbox page and ``GET /api/v1/me``.

    python -m bench cases-cpu --database URL [--requests 200] [--profile apply|inbox|me]
                              [--top 40] [--sort tottime]

Run after ``python -m bench cases --database URL`` has built the database (the same
applicants, items, locker files and clerk). Each request goes through Django's test
client in this process — the whole middleware stack, the view, the serializer or the
template — one at a time, and the CPU time of this thread is taken around each: the
median is the Python cost of one request, without the server's HTTP parsing or the
scheduling noise of a shared machine (the ratio the goals name is that of requests per
second, which on CPU-bound workers follows these). ``--profile`` prints a cProfile of the
requests of one kind.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import time
import uuid


def _median_ms(call, requests: int) -> float:
    call()  # warm caches
    spent = []
    for _ in range(requests):
        started = time.thread_time()
        call()
        spent.append((time.thread_time() - started) * 1000)
    return statistics.median(spent)


def calls():
    """The three requests as callables (each asserts its status)."""
    from django.test import Client
    from django.urls import reverse

    from . import cases_apply as apply
    from . import cases_inbox as inbox

    setup = apply.prepare(1)
    token = apply.bearer_tokens(setup)[0]
    locker = setup.lockers[0]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
    apply_path, me_path = reverse("api-application-apply"), reverse("me")
    turn = [0]

    def one_apply():
        item = setup.items[turn[0] % len(setup.items)]
        turn[0] += 1
        body = {
            "item": item.implementation_code,
            "answers": apply.ANSWERS,
            **setup.contacts[item.pk],
            "materials": [
                {"key": key, "locker_file": str(locker[key].public_id)}
                for key in setup.needs[item.pk]
            ],
        }
        response = api.post(
            apply_path,
            json.dumps(body),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
        assert response.status_code == 201, response.content[:300]

    def me():
        response = api.get(me_path)
        assert response.status_code == 200, response.content[:300]

    clerk = inbox.clerk_of(inbox.biggest_department()[0])
    browser = inbox.signed_in(clerk, HTTP_HOST="127.0.0.1")
    inbox_path = reverse("workbench:cases-inbox")

    def page():
        response = browser.get(inbox_path)
        assert response.status_code == 200, response.status_code

    return {"apply": one_apply, "inbox": page, "me": me}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench cases-cpu", description=__doc__)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--requests", "--count", dest="requests", type=int, default=200)
    parser.add_argument("--profile", choices=("apply", "inbox", "me"))
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--dump", help="with --profile: also write the pstats to this file")
    args = parser.parse_args(argv)
    from .cases import ensure_database, setup_django

    name = ensure_database(args.database)
    setup_django(args.database, os.path.join(os.getcwd(), "var", f"bench-{name}"))
    requests = calls()
    if args.profile:
        call = requests[args.profile]
        call()
        profiler = cProfile.Profile(time.thread_time)
        profiler.enable()
        for _ in range(args.requests):
            call()
        profiler.disable()
        if args.dump:
            profiler.dump_stats(args.dump)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
        return 0
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"CPU per request in process, median of {args.requests} (load average {load}):")
    figures = {label: _median_ms(call, args.requests) for label, call in requests.items()}
    for label, ms in figures.items():
        print(f"  {label:<6} {ms:6.2f} ms  ({ms / figures['me']:.2f} × GET /api/v1/me)")
    print(
        f"  GET /api/v1/me / apply = {figures['me'] / figures['apply']:.2f} (goal ≥ 0.6); "
        f"GET /api/v1/me / inbox = {figures['me'] / figures['inbox']:.2f} (goal ≥ 0.8)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
