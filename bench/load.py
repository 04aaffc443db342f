"""``python -m bench load``: the load test — a working day's mix against gunicorn on
PostgreSQL behind nginx, with one and with two app processes, to the knee.

What it does:

1. prepares the database ``BENCH_DATABASE_URL`` (default
   ``postgres://postgres@127.0.0.1:5432/govhall_bench_load``): migrations and the demo
   data once, then applicants with bearer tokens and locker files, staff of the
   applicants' departments (bearer token and a workbench session each), an exchange
   client with a token and batches of process records, the licence identifiers;
2. starts Redis-backed app processes (gunicorn, ``--workers`` each, default 2) and
   nginx from Debian in front of them (``apt-get install nginx``), first one process,
   then two;
3. runs the Locust scenario ``bench/load_locustfile.py`` (the users and the mix are
   there) headless at growing user counts (``--users 8,16,32,…``, ``--step-seconds``
   each) until the p95 of some endpoint passes one second — the knee;
4. prints per endpoint, at the last step below the knee and at the knee: requests per
   second, p50/p95/p99, errors (5xx separately), and the app's CPU milliseconds per
   request (from the app's own ``govhall_http_request_cpu_seconds_total``), plus where
   the machine's CPU went (app processes, PostgreSQL, Redis, nginx, Locust).

The exchange batch push is reported but not part of the knee: it is a bulk
machine-to-machine call of 50 records with its own budget.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/govhall_bench_load"
KNEE_MS = 1000.0
KNEE_MIN_SAMPLES = 20  # a p95 of fewer requests is one slow request, not a trend
EXCLUDED_FROM_KNEE = ("POST /api/v1/exchange/process-records (50)",)
EXCHANGE_BODIES = 400
EXCHANGE_BATCH = 50
APPLICANTS = 60


# --- data --------------------------------------------------------------------------------


def prepare(database: str, var_dir: str) -> dict:
    from bench.cases import ensure_database, setup_django

    ensure_database(database)
    setup_django(database, var_dir)
    from django.core.management import call_command

    from govhall.catalog.models import Item

    call_command("migrate", verbosity=0)
    if not Item.objects.published().exists():
        print("  loading the demo data (first run only)…", flush=True)
        os.environ.setdefault("GOVHALL_DEMO_PASSWORD", f"bench-{uuid.uuid4().hex}")
        call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    data: dict = {}
    data.update(_catalogue())
    data.update(_applicants())
    data["staff"] = _staff(data["apply_departments"])
    data["exchange"] = _exchange()
    data["licences"] = _licences()
    data["halls"] = _halls()
    return data


def _catalogue() -> dict:
    from govhall.catalog.models import Item

    published = Item.objects.published()
    codes = list(published.order_by("pk").values_list("implementation_code", flat=True)[:400])
    terms = ["营业执照", "最低生活保障", "结婚登记", "户口", "yyzz", "社保", "医疗", "公积金"]
    return {"item_codes": codes, "search_terms": terms}


def _halls() -> list[str]:
    from govhall.regions.models import Hall

    wanted = ["440000", "440700", "440703", "445100", "445102"]
    found = list(Hall.objects.filter(region_id__in=wanted).values_list("region_id", flat=True))
    towns = Hall.objects.filter(kind=Hall.Kind.STATION, region__code__startswith="440703")
    return found + list(towns.order_by("region_id").values_list("region_id", flat=True)[:3])


def _applicants() -> dict:
    from bench import cases_apply

    setup = cases_apply.prepare(APPLICANTS, item_count=8)
    tokens = cases_apply.bearer_tokens(setup)
    applicants = [
        {
            "token": token,
            "id_number": identity.person.id_number,
            "locker": {key: str(f.public_id) for key, f in locker.items()},
        }
        for token, identity, locker in zip(tokens, setup.applicants, setup.lockers, strict=True)
    ]
    items = [
        {"code": i.implementation_code, "contact": setup.contacts[i.pk], "needs": setup.needs[i.pk]}
        for i in setup.items
    ]
    return {
        "applicants": applicants,
        "apply_items": items,
        "answers": cases_apply.ANSWERS,
        "apply_departments": sorted({i.department_id for i in setup.items}),
    }


def _access_token(user, scope: str) -> str:
    from django.utils import timezone
    from oauth2_provider.models import get_access_token_model, get_application_model

    application = get_application_model().objects.filter(name="基准测试移动端").first()
    return (
        get_access_token_model()
        .objects.create(
            user=user,
            application=application,
            scope=scope,
            expires=timezone.now() + datetime.timedelta(hours=6),
            token=f"bench-{uuid.uuid4().hex}",
        )
        .token
    )


def _staff(department_ids: list[int]) -> list[dict]:
    """Two staff users per department of the applied items, each holding the clerk,
    reviewer and approver posts (so every step of those cases has someone to do it)."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from govhall.regions.models import Post, StaffPost

    out = []
    for department_id in department_ids:
        for n in (1, 2):
            user, _ = get_user_model().objects.get_or_create(
                username=f"bench-staff-{department_id}-{n}",
                defaults={"display_name": f"基准工作人员{department_id}-{n}"},
            )
            for post in (Post.CLERK, Post.REVIEWER, Post.APPROVER):
                StaffPost.objects.get_or_create(
                    user=user, department_id=department_id, post=post, defaults={"is_active": True}
                )
            session = SessionStore()
            session["_auth_user_id"] = str(user.pk)
            session["_auth_user_backend"] = "govhall.accounts.backends.IdentityBackend"
            session["_auth_user_hash"] = user.get_session_auth_hash()
            session.set_expiry(6 * 3600)
            session.create()
            out.append(
                {"token": _access_token(user, "openid staff"), "session": session.session_key}
            )
    return out


def _exchange() -> dict:
    from django.utils import timezone

    from govhall.demo.generators import records as generator
    from govhall.exchange.models import ExchangeClient
    from govhall.exchange.services import clients

    code = "bench-load-jiangmen"
    client = ExchangeClient.objects.filter(code=code).first()
    if client is None:
        client, _secret = clients.register(
            name="江门市网上办事分厅（负载测试）",
            code=code,
            kind=ExchangeClient.Kind.BRANCH_HALL,
            region_codes=["440700"],
            rate_per_minute=clients.MAX_RATE,
        )
    from oauth2_provider.models import get_access_token_model

    token = get_access_token_model().objects.create(
        user=None,
        application=client.application,
        scope="exchange",
        expires=timezone.now() + datetime.timedelta(hours=6),
        token=f"bench-{uuid.uuid4().hex}",
    )
    end = generator.local_seconds(timezone.now()) - 120
    plan = generator.build_plan(city_codes=["440700"], seed=77, catalogue_only=True)
    seed = int(time.time()) % 100_000  # new case numbers each run: records are new
    stream = generator.Stream(
        plan, EXCHANGE_BODIES * EXCHANGE_BATCH, end - 8 * 3600, end, seed, block=700 + seed % 200
    )
    rows = [row for rows in stream for row in rows]
    bodies = [
        '{"records":[' + ",".join(r.payload for r in rows[i : i + EXCHANGE_BATCH]) + "]}"
        for i in range(0, len(rows), EXCHANGE_BATCH)
    ]
    return {"token": token.token, "bodies": bodies}


def _licences() -> list[str]:
    from govhall.licences.models import LicenceVersion

    return list(LicenceVersion.objects.values_list("identifier", flat=True)[:200])


# --- processes ---------------------------------------------------------------------------


def served_var_dir(scratch: Path, var_dir: Path) -> Path:
    """The app servers' var directory: static files collected as production serves them
    (with DEBUG off the pages name hashed files from collectstatic's manifest), and the
    uploaded files of this database."""
    from django.conf import settings

    from bench.exchange import server_environment

    served = scratch / "var"
    served.mkdir()
    (served / "media").symlink_to(Path(settings.MEDIA_ROOT).resolve())
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env={**server_environment(), "GOVHALL_VAR_DIR": str(served)},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"collectstatic failed:\n{done.stderr[-2000:]}")
    return served


def free_port() -> int:
    from bench.exchange import free_port as pick

    return pick()


@dataclass
class Stack:
    """nginx in front of ``count`` gunicorn processes, sharing Redis and PostgreSQL."""

    count: int
    workers: int
    scratch: Path
    redis_url: str
    metrics_token: str
    database: str
    var_dir: Path = Path()
    app_ports: list[int] = field(default_factory=list)
    processes: list[subprocess.Popen] = field(default_factory=list)
    port: int = 0

    def start(self) -> None:
        from django.conf import settings

        from bench.exchange import server_environment

        env = server_environment()
        env.update(
            REDIS_URL=self.redis_url,
            GOVHALL_CACHE_PREFIX=f"bench-load-{uuid.uuid4().hex[:8]}",
            GOVHALL_TRUSTED_PROXY_COUNT="2",  # the simulated load balancer, then nginx
            GOVHALL_STAFF_TOTP_REQUIRED="0",
            SECURE_COOKIES="0",
            GOVHALL_METRICS_TOKEN=self.metrics_token,
            GOVHALL_REQUEST_LOG="WARNING",
            GOVHALL_SMS_BACKEND="govhall.accounts.sms.LocmemBackend",
            GOVHALL_VAR_DIR=str(self.var_dir),
            SECRET_KEY=settings.SECRET_KEY,  # the staff sessions were signed with it
        )
        for index in range(self.count):
            port = free_port()
            metrics_dir = self.scratch / f"metrics-{self.count}-{index}"
            metrics_dir.mkdir(parents=True, exist_ok=True)
            command = [
                sys.executable, "-m", "gunicorn", "govhall.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", str(self.workers),
                "--timeout", "120", "--log-level", "warning",
            ]  # fmt: skip
            log = open(self.scratch / f"app-{self.count}-{index}.log", "w")  # noqa: SIM115
            self.processes.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env={**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            self.app_ports.append(port)
        self.port = free_port()
        self.processes.append(self._nginx())
        deadline = time.monotonic() + 120
        for port in [*self.app_ports, self.port]:
            while not _answers(port):
                if time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit(f"the stack did not come up; logs in {self.scratch}")
                time.sleep(0.5)

    def _nginx(self) -> subprocess.Popen:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise SystemExit("nginx is needed in front of the app processes: apt-get install nginx")
        prefix = self.scratch / f"nginx-{self.count}"
        for sub in ("logs", "tmp"):
            (prefix / sub).mkdir(parents=True, exist_ok=True)
        upstreams = "\n".join(f"    server 127.0.0.1:{p};" for p in self.app_ports)
        (prefix / "nginx.conf").write_text(
            f"""daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  # Bodies and answers stay in memory: no temporary files (nginx's workers run as nobody
  # and could not write into this run's scratch directory).
  client_body_buffer_size 8m;
  proxy_buffering off;
  client_body_temp_path {prefix}/tmp/body;
  proxy_temp_path {prefix}/tmp/proxy;
  fastcgi_temp_path {prefix}/tmp/fastcgi;
  uwsgi_temp_path {prefix}/tmp/uwsgi;
  scgi_temp_path {prefix}/tmp/scgi;
  upstream app {{
{upstreams}
  }}
  server {{
    listen 127.0.0.1:{self.port};
    client_max_body_size 32m;
    location / {{
      proxy_pass http://app;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
      proxy_read_timeout 120s;
    }}
  }}
}}
""",
            encoding="utf-8",
        )
        return subprocess.Popen(
            [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def scrape(self) -> dict[str, dict[str, float]]:
        """Per route, summed over the app processes: requests and CPU seconds."""
        totals: dict[str, dict[str, float]] = {}
        for port in self.app_ports:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/metrics",
                headers={"Authorization": f"Bearer {self.metrics_token}"},
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                text = response.read().decode()
            for line in text.splitlines():
                if line.startswith("govhall_http_request_cpu_seconds_total{"):
                    labels, value = line.rsplit(" ", 1)
                    key = _labels(labels)
                    route = f"{key['method']} {key['route']}"
                    totals.setdefault(route, {"cpu": 0.0, "count": 0.0})["cpu"] += float(value)
                elif line.startswith("govhall_http_requests_total{"):
                    labels, value = line.rsplit(" ", 1)
                    key = _labels(labels)
                    route = f"{key['method']} {key['route']}"
                    totals.setdefault(route, {"cpu": 0.0, "count": 0.0})["count"] += float(value)
        return totals

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _labels(text: str) -> dict[str, str]:
    inside = text[text.index("{") + 1 : text.rindex("}")]
    out = {}
    for part in inside.split('",'):
        key, _, value = part.partition('="')
        out[key.strip(",")] = value.rstrip('"')
    return out


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


# --- CPU accounting ----------------------------------------------------------------------


def cpu_by_kind(stack: Stack, database: str) -> dict[str, float]:
    """CPU seconds used so far by this run's processes: the app processes and nginx (their
    process trees), PostgreSQL's backends serving the bench database, the Redis server
    (shared with anything else using it). Locust's own CPU is measured around its run."""
    import psutil

    machine = psutil.cpu_times()
    kinds = {
        "app": 0.0,
        "postgresql": 0.0,
        "redis": 0.0,
        "nginx": 0.0,
        "machine": machine.user + machine.system + machine.nice + machine.irq + machine.softirq,
    }

    def used(process) -> float:
        try:
            times = process.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return 0.0
        return times.user + times.system

    for index, popen in enumerate(stack.processes):
        kind = "nginx" if index == len(stack.processes) - 1 else "app"
        try:
            root = psutil.Process(popen.pid)
            kinds[kind] += used(root) + sum(used(c) for c in root.children(recursive=True))
        except psutil.NoSuchProcess:
            continue
    for process in psutil.process_iter(["name", "cmdline"]):
        name = process.info["name"] or ""
        command = " ".join(process.info["cmdline"] or [])
        if name.startswith("postgres") and f" {database} " in f" {command} ":
            kinds["postgresql"] += used(process)
        elif name.startswith("redis-server"):
            kinds["redis"] += used(process)
    return kinds


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- one step ----------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    count: int
    rps: float
    p50: float
    p95: float
    p99: float
    failures: int
    server_errors: int
    statuses: dict


@dataclass
class Step:
    users: int
    seconds: float
    rows: list[Row]
    cpu: dict[str, float]
    server: dict[str, dict[str, float]]

    @property
    def total(self) -> Row:
        return next(r for r in self.rows if r.name == "Aggregated")

    @property
    def endpoints(self) -> list[Row]:
        return [r for r in self.rows if r.name != "Aggregated"]

    def worst_p95(self) -> tuple[float, str]:
        candidates = [
            r
            for r in self.endpoints
            if r.name not in EXCLUDED_FROM_KNEE and r.count >= KNEE_MIN_SAMPLES
        ]
        if not candidates:
            return 0.0, "-"
        worst = max(candidates, key=lambda r: r.p95)
        return worst.p95, worst.name

    @property
    def server_errors(self) -> int:
        return sum(r.server_errors for r in self.endpoints)


def read_stats(prefix: Path, statuses: dict) -> list[Row]:
    rows = []
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            name = record["Name"]
            by_status = statuses.get(name, {})
            rows.append(
                Row(
                    name=name,
                    count=int(record["Request Count"]),
                    rps=float(record["Requests/s"]),
                    p50=float(record["50%"] or 0),
                    p95=float(record["95%"] or 0),
                    p99=float(record["99%"] or 0),
                    failures=int(record["Failure Count"]),
                    server_errors=sum(n for code, n in by_status.items() if code.startswith("5")),
                    statuses=by_status,
                )
            )
    if rows and not any(r.name == "Aggregated" for r in rows):
        raise SystemExit(f"no aggregate row in {prefix}_stats.csv")
    for row in rows:
        if row.name == "Aggregated":
            row.server_errors = sum(r.server_errors for r in rows if r.name != "Aggregated")
    return rows


def run_step(stack: Stack, users: int, seconds: float, scratch: Path, data_file: Path) -> Step:
    prefix = scratch / f"locust-{stack.count}-{users}"
    status_file = scratch / f"status-{stack.count}-{users}.json"
    before_cpu, before_server = cpu_by_kind(stack, stack.database), stack.scrape()
    before_children = _children_cpu()
    started = time.monotonic()
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "load_locustfile.py"),
        "--headless", "--host", f"http://127.0.0.1:{stack.port}",
        "--users", str(users), "--spawn-rate", str(max(users / 3, 4)),
        "--run-time", f"{int(seconds)}s", "--stop-timeout", "10",
        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    env = {
        **os.environ,
        "GOVHALL_LOAD_DATA": str(data_file),
        "GOVHALL_LOAD_STATUS": str(status_file),
    }
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        timeout=seconds + 180,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    if not Path(f"{prefix}_stats.csv").exists():
        raise SystemExit(f"locust failed ({done.returncode}):\n{done.stderr[-3000:]}")
    locust_cpu = _children_cpu() - before_children
    after_cpu, after_server = cpu_by_kind(stack, stack.database), stack.scrape()
    statuses = json.loads(status_file.read_text()) if status_file.exists() else {}
    cpu = {k: max(after_cpu[k] - before_cpu.get(k, 0.0), 0.0) for k in after_cpu}
    cpu["locust"] = locust_cpu
    cpu["wall"] = elapsed
    server = {}
    for route, after in after_server.items():
        before = before_server.get(route, {"cpu": 0.0, "count": 0.0})
        count = after["count"] - before["count"]
        if count > 0:
            server[route] = {
                "count": count,
                "cpu_ms": 1000 * (after["cpu"] - before["cpu"]) / count,
            }
    return Step(users, seconds, read_stats(prefix, statuses), cpu, server)


# --- report ------------------------------------------------------------------------------


def print_step_line(label: str, step: Step) -> None:
    worst, name = step.worst_p95()
    total = step.total
    wall = step.cpu["wall"]
    ours = sum(step.cpu.get(k, 0.0) for k in ("app", "postgresql", "redis", "nginx", "locust"))
    print(
        f"  {label} {step.users:4d} users: {total.rps:7.1f} req/s, worst p95 {worst:7.0f} ms "
        f"({name}), 5xx {step.server_errors}, "
        f"other failures {total.failures - step.server_errors}; CPU of {os.cpu_count()} cores: "
        f"machine {step.cpu['machine'] / wall:.2f}, this test {ours / wall:.2f}",
        flush=True,
    )


def print_table(step: Step) -> None:
    print(f"\n    at {step.users} users ({step.seconds:.0f} s):")
    header = (
        f"    {'endpoint':58s} {'req/s':>7s} {'p50':>6s} {'p95':>6s} {'p99':>6s} "
        f"{'5xx':>4s} {'fail':>5s}  statuses"
    )
    print(header)
    for row in sorted(step.endpoints, key=lambda r: -r.count):
        statuses = ", ".join(f"{k}×{v}" for k, v in sorted(row.statuses.items()))
        print(
            f"    {row.name[:58]:58s} {row.rps:7.2f} {row.p50:6.0f} {row.p95:6.0f} {row.p99:6.0f} "
            f"{row.server_errors:4d} {row.failures:5d}  {statuses}"
        )
    total = step.total
    print(
        f"    {'all':58s} {total.rps:7.2f} {total.p50:6.0f} {total.p95:6.0f} {total.p99:6.0f} "
        f"{step.server_errors:4d} {total.failures:5d}"
    )
    requests = max(sum(r.count for r in step.endpoints), 1)
    print("    CPU over the step (seconds, and ms per request of the whole mix):")
    for kind in ("app", "postgresql", "redis", "nginx", "locust"):
        seconds = step.cpu.get(kind, 0.0)
        print(f"      {kind:11s} {seconds:7.1f} s  {1000 * seconds / requests:6.1f} ms/request")


def print_cpu(step: Step) -> None:
    print("\n    app CPU per request, by route (ms; the app processes' own accounting):")
    for route, figures in sorted(step.server.items(), key=lambda kv: -kv[1]["count"]):
        if route.endswith("/metrics"):
            continue
        print(f"      {route[:70]:70s} {figures['cpu_ms']:7.1f} ms  ({figures['count']:.0f})")


def report(count: int, steps: list[Step]) -> None:
    print(f"\n{count} app process{'es' if count > 1 else ''}:")
    knee = steps[-1]
    below = steps[-2] if len(steps) > 1 else None
    if knee.worst_p95()[0] > KNEE_MS:
        print(f"  knee: p95 passes 1 s at {knee.users} users ({knee.worst_p95()[1]})")
    else:
        print(f"  no knee up to {knee.users} users: raise --users")
    if below is not None:
        print_table(below)
        print_cpu(below)
    print_table(knee)
    print_cpu(knee)


def run_stacks(args, scratch: Path, data_file: Path, var_dir: Path) -> dict[int, list[Step]]:
    """All configurations up at once, their steps interleaved (1 process at N users, 2
    processes at N users, …), so a change in the machine's other load hits both alike."""
    database = args.database.rsplit("/", 1)[-1].split("?")[0]
    counts = [int(c) for c in args.processes.split(",")]
    stacks = {
        count: Stack(count, args.workers, scratch, args.redis, uuid.uuid4().hex, database, var_dir)
        for count in counts
    }
    results: dict[int, list[Step]] = {count: [] for count in counts}
    try:
        for stack in stacks.values():
            stack.start()
            run_step(stack, 4, 10, scratch, data_file)  # warm-up: imports, caches, connections
        active = list(counts)
        for users in args.users:
            for count in list(active):
                step = run_step(stacks[count], users, args.step_seconds, scratch, data_file)
                results[count].append(step)
                print_step_line(f"{count} process{'es' if count > 1 else '  '}", step)
                if step.worst_p95()[0] > KNEE_MS:
                    active.remove(count)
            if not active:
                break
    finally:
        for stack in stacks.values():
            stack.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench load", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    )
    parser.add_argument("--users", default="8,16,32,48,64,96,128,192")
    parser.add_argument("--step-seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app process")
    parser.add_argument("--processes", default="1,2", help="app process counts to run")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the stack on the way out
    signal.signal(signal.SIGINT, signal.default_int_handler)
    args.users = [int(u) for u in args.users.split(",")]
    if not args.database.startswith("postgres"):
        raise SystemExit("the load test runs on PostgreSQL (--database postgres://…)")
    scratch = Path(tempfile.mkdtemp(prefix="govhall-load-"))
    var_dir = str(ROOT / "var")
    print(f"load test: {args.database}, scratch {scratch}", flush=True)
    started = time.monotonic()
    data = prepare(args.database, var_dir)
    server_var = served_var_dir(scratch, Path(var_dir))
    data_file = scratch / "data.json"
    data_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    print(
        f"  data ready in {time.monotonic() - started:.0f} s: "
        f"{len(data['applicants'])} applicants, "
        f"{len(data['staff'])} staff, {len(data['item_codes'])} guides, "
        f"{len(data['licences'])} licences, {len(data['exchange']['bodies'])} exchange batches",
        flush=True,
    )
    print(
        f"\nsteps ({args.workers} gunicorn workers per app process, nginx in front, "
        f"{args.step_seconds:.0f} s each):",
        flush=True,
    )
    results = run_stacks(args, scratch, data_file, server_var)
    for count, steps in results.items():
        report(count, steps)
    if len(results) > 1:
        print("\nsummary (knee = first step whose worst p95 passes 1 s):")
        for count, steps in results.items():
            knee = steps[-1]
            ok = [s for s in steps if s.worst_p95()[0] <= KNEE_MS]
            best = max((s.total.rps for s in ok), default=0.0)
            print(
                f"  {count} process(es): knee at {knee.users} users; best throughput below it "
                f"{best:.1f} req/s; 5xx below the knee: {sum(s.server_errors for s in ok)}"
            )
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
