"""Licences: SM2 signing against OpenSSL, and issuing throughput.

    python -m bench licences [--count 600] [--seconds 3] [--pdf-count 20]
                             [--database sqlite|URL] [--keep]

Works in a scratch database: SQLite in ``var/bench-licences/`` by default, or the
PostgreSQL database named by ``--database`` / ``BENCH_DATABASE_URL`` (created if missing;
reference data loaded once; only the licence tables are emptied). ``--keep`` keeps what
an earlier run issued (and the SQLite directory). Then, each beside a baseline measured
in the same run:

* SM2 sign and verify per second with gmssl-pyx over real canonical licence documents
  (``canonical.dumps`` of the licences just issued), against ``openssl speed sm2`` (its
  sign/s and verify/s on this machine, same duration);
* licences per second through ``issuing.issue`` (serial, checks, canonical form, SM2
  signature, audit entry, one transaction each), against bare SM2 signing — the ratio
  says how much of an issue is the signature;
* the same plus the PDF (``pdf.ensure_pdf``) when ``govhall/licences/services/pdf.py``
  exists.

Single-threaded throughout: OpenSSL's figure is one core, and so is ours.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_TYPE_CODE = "11440000006941385C901"
# -mr: "+F7:0:256:CurveSM2:1897.97:3055.91";
# table: " 256 bits SM2 (CurveSM2)   0.0004s   0.0003s   2539.2   3265.7"
MR_LINE = re.compile(r"^\+F\d+:\d+:\d+:([^:]*SM2[^:]*):([\d.]+):([\d.]+)\s*$", re.MULTILINE)
TABLE_LINE = re.compile(r"^.*SM2.*?\s([\d.]+)s\s+([\d.]+)s\s+([\d.]+)\s+([\d.]+)\s*$", re.MULTILINE)


def parse_openssl_speed(text: str) -> tuple[float, float] | None:
    """(sign/s, verify/s) from ``openssl speed [-mr] sm2`` output, or None if absent."""
    match = MR_LINE.search(text)
    if match:
        return float(match.group(2)), float(match.group(3))
    match = TABLE_LINE.search(text)
    if match:
        return float(match.group(3)), float(match.group(4))
    return None


def openssl_speed(seconds: int) -> tuple[tuple[float, float] | None, str]:
    """Run ``openssl speed -mr -seconds N sm2``; (figures or None, a note)."""
    command = ["openssl", "speed", "-mr", "-seconds", str(seconds), "sm2"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds * 4 + 30)
    except (FileNotFoundError, subprocess.TimeoutExpired) as exc:
        return None, f"openssl speed unavailable ({exc.__class__.__name__})"
    figures = parse_openssl_speed(done.stdout + "\n" + done.stderr)
    version = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout
    if figures is None:
        return None, f"no SM2 figures in `{' '.join(command)}` output ({version.strip()})"
    return figures, version.strip()


def rate(function, items: list, seconds: float) -> tuple[float, int]:
    """Calls per second of ``function(item)`` cycling through ``items`` for ``seconds``."""
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while True:
        for item in items:
            function(item)
            count += 1
        if time.perf_counter() >= deadline:
            break
    return count / (time.perf_counter() - started), count


def sm2_rates(documents: list[bytes], seconds: float) -> dict[str, float]:
    """Sign/verify per second over the documents, with a fresh key: govhall's own path
    (``signing``: SM3(Z_A ‖ M) with Z_A once per key, then ``sm2_sign_sm3_digest``) and
    gmssl-pyx's one-call ``sm2_sign`` for reference. OpenSSL verifies both alike."""
    import gmssl_pyx

    from govhall.licences.services import signing

    public, private = gmssl_pyx.sm2_key_generate()
    public_hex = public.hex()

    def ours(document: bytes) -> bytes:
        return gmssl_pyx.sm2_sign_sm3_digest(private, signing.digest(public, document))

    signatures = [ours(d) for d in documents]
    pairs = list(zip(documents, signatures, strict=True))
    if not all(gmssl_pyx.sm2_verify(public, d, s) for d, s in pairs):
        raise SystemExit("gmssl-pyx does not accept govhall's signatures: Z_A is off")
    sign, _ = rate(ours, documents, seconds)
    verify, _ = rate(lambda p: signing.verify(public_hex, p[0], p[1]), pairs, seconds)
    library, _ = rate(lambda d: gmssl_pyx.sm2_sign(private, public, d), documents, seconds)
    return {"sign": sign, "verify": verify, "library_sign": library}


# --- the scratch database -------------------------------------------------------------


def setup_django(database: str, var_dir: str) -> None:
    """Django on the scratch SQLite database in ``var_dir`` or on a PostgreSQL URL (the
    exchange benchmark uses it too)."""
    if database == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{os.path.join(var_dir, 'bench.sqlite3')}"
    else:
        os.environ["DATABASE_URL"] = database
    os.environ["GOVHALL_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no per-query logging


def build(keep: bool) -> dict[str, float]:
    """Schema and reference data (once), the licence tables emptied unless ``keep``."""
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection

    from govhall.licences.models import Licence
    from govhall.regions.models import Department
    from govhall.regions.services import loading

    timings: dict[str, float] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["schema (migrate)"] = time.perf_counter() - started
    if not Department.objects.exists():
        started = time.perf_counter()
        loading.load_regions()
        loading.create_halls()
        loading.load_departments()
        timings["reference data"] = time.perf_counter() - started
    if not keep and Licence.objects.exists():
        models = [
            m
            for m in apps.get_app_config("licences").get_models()
            if m._meta.db_table != "licences_issuerkey"  # keys stay: made once, like prod
        ]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                tables = ", ".join(m._meta.db_table for m in models)
                cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
            else:
                cursor.execute("PRAGMA foreign_keys = OFF")
                for model in models:
                    cursor.execute(f'DELETE FROM "{model._meta.db_table}"')
                cursor.execute("PRAGMA foreign_keys = ON")
    return timings


def fixtures():
    """The department, a licence type it issues, and its signing key (made before timing)."""
    from govhall.licences.models import LicenceType
    from govhall.licences.services import signing
    from govhall.regions.models import Department

    department = Department.objects.get(region_id="440700", name="江门市民政局")
    licence_type, _ = LicenceType.objects.update_or_create(
        code=BENCH_TYPE_CODE,
        defaults={
            "name": "基准测试证",
            "defining_body": "广东省民政厅",
            "defining_body_code": BENCH_TYPE_CODE[:18],
            "holder_kind": "person",
            "fields": [
                {"name": "household_size", "label": "家庭人口", "type": "number", "required": True},
                {"name": "address", "label": "住址", "type": "text", "required": False},
                {"name": "approved_on", "label": "批准日期", "type": "date", "required": False},
            ],
            "validity_years": 3,
            "number_prefix": "粤基准",
        },
    )
    licence_type.issuing_departments.set([department])
    signing.active_key(department)
    return department, licence_type


def holders(count: int, offset: int):
    import datetime

    from govhall.core.identifiers import make_id_number
    from govhall.licences.services.issuing import Holder

    start = datetime.date(1960, 1, 1)
    for n in range(offset, offset + count):
        birth = start + datetime.timedelta(days=n % 15000)
        number = make_id_number("440703", birth, n % 900 + 100)
        yield Holder("person", f"基准{n:06d}", number)


def issue_many(department, licence_type, count: int, offset: int, render=None) -> list[float]:
    """Issue ``count`` licences one transaction each; seconds per licence."""
    from govhall.licences.services import issuing

    latencies = []
    for n, holder in enumerate(holders(count, offset)):
        started = time.perf_counter()
        licence = issuing.issue(
            licence_type,
            department,
            holder,
            data={"household_size": n % 7 + 1, "address": "江门市蓬江区建设路" + str(n)},
            reason="基准测试",
        )
        if render is not None:
            render(licence.current)
        latencies.append(time.perf_counter() - started)
    return latencies


def pdf_renderer():
    """``pdf.ensure_pdf`` if another part of the project has provided it, else (None, why)."""
    try:
        from govhall.licences.services import pdf
    except ImportError:
        return None, "govhall/licences/services/pdf.py does not exist yet"
    render = getattr(pdf, "ensure_pdf", None)
    if render is None:
        return None, "govhall.licences.services.pdf has no ensure_pdf(version)"
    return render, ""


def describe(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms"


# --- the run -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench licences", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--count", type=int, default=600, help="licences to issue")
    parser.add_argument("--pdf-count", type=int, default=20, help="licences issued with a PDF")
    parser.add_argument("--seconds", type=int, default=3, help="length of each SM2 run")
    parser.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE_URL", "") or "sqlite",
        help="sqlite (default) or a PostgreSQL URL (default: BENCH_DATABASE_URL)",
    )
    parser.add_argument("--keep", action="store_true", help="keep earlier licences and files")
    args = parser.parse_args(argv)
    if args.count < 1 or args.seconds < 1:
        parser.error("--count and --seconds must be at least 1")
    run_started = time.perf_counter()

    if args.database == "sqlite":
        var_dir = os.path.join(os.getcwd(), "var", "bench-licences")
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)
        os.makedirs(var_dir, exist_ok=True)
        engine = "SQLite"
    elif args.database.startswith(("postgres://", "postgresql://")):
        from .cases import ensure_database

        name = ensure_database(args.database)
        var_dir = os.path.join(os.getcwd(), "var", f"bench-{name}")
        engine = "PostgreSQL"
    else:
        parser.error("--database must be sqlite or a postgres:// URL")
    setup_django(args.database, var_dir)
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"== licence benchmark on {engine}, {args.count:,} licences ==")
    print(f"  {os.cpu_count()} CPUs, load average {load} (other work on the machine skews timings)")
    for label, spent in build(args.keep).items():
        print(f"  {label:<30} {spent:8.1f} s")

    from govhall.licences.models import Licence, LicenceVersion

    department, licence_type = fixtures()
    offset = Licence.objects.count()

    # (b) issuing: first, so (a) signs the very documents issuing produced.
    started = time.perf_counter()
    latencies = issue_many(department, licence_type, args.count, offset)
    issue_rate = len(latencies) / (time.perf_counter() - started)

    documents = [
        text.encode("utf-8")
        for text in LicenceVersion.objects.filter(licence__type=licence_type)
        .order_by("-pk")
        .values_list("canonical", flat=True)[:200]
    ]
    sizes = [len(d) for d in documents]
    print(f"SM2 over {len(documents)} canonical licence documents "
          f"({min(sizes)}–{max(sizes)} bytes), {args.seconds} s per run, one core:")  # fmt: skip
    ours = sm2_rates(documents, args.seconds)
    theirs, note = openssl_speed(args.seconds)
    print(f"  {'':<38} {'sign/s':>9} {'verify/s':>9}")
    print(f"  {'govhall signing (ours)':<38} {ours['sign']:9.0f} {ours['verify']:9.0f}")
    print(f"  {'gmssl-pyx sm2_sign, Z_A every call':<38} {ours['library_sign']:9.0f} {'—':>9}")
    if theirs:
        print(f"  {'openssl speed sm2 (baseline)':<38} {theirs[0]:9.0f} {theirs[1]:9.0f}")
        print(
            f"  {'ratio ours/openssl':<38} {ours['sign'] / theirs[0]:8.2f}× "
            f"{ours['verify'] / theirs[1]:8.2f}×   ({note})"
        )
    else:
        print(f"  openssl baseline: skipped — {note}")

    print("issuing throughput (one transaction per licence; baseline: bare SM2 sign/s above):")
    print(
        f"  issuing.issue           {issue_rate:8.1f} licences/s  {describe(latencies)}  "
        f"{issue_rate / ours['sign']:5.1%} of bare signing"
    )
    render, why = pdf_renderer()
    if render is None:
        print(f"  issue + PDF             skipped: {why}")
    elif args.pdf_count > 0:
        issue_many(department, licence_type, 1, offset + args.count, render)  # fonts, caches
        offset += 1
        started = time.perf_counter()
        try:
            pdf_latencies = issue_many(
                department, licence_type, args.pdf_count, offset + args.count, render
            )
        except Exception as exc:  # another helper's module: report, do not hide the rest
            print(f"  issue + PDF             failed: {exc.__class__.__name__}: {exc}")
        else:
            pdf_rate = len(pdf_latencies) / (time.perf_counter() - started)
            print(
                f"  issue + PDF             {pdf_rate:8.1f} licences/s  {describe(pdf_latencies)}"
                f"  {pdf_rate / issue_rate:5.1%} of issuing alone"
            )
    print(f"whole run {time.perf_counter() - run_started:.0f} s; "
          f"load average now {os.getloadavg()[0]:.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
