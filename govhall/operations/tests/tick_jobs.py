"""A job for the multi-scheduler test (loaded through GOVHALL_JOB_MODULES): every run
appends a line to GOVHALL_TEST_TICK_FILE, so the test counts what actually ran,
independently of the scheduler's own records."""

import datetime
import os
import time

from govhall.operations.registry import job


@job(
    "test_tick",
    every=datetime.timedelta(seconds=float(os.environ.get("GOVHALL_TEST_TICK_SECONDS", "1"))),
    description="test job",
    retries=0,
)
def tick():
    with open(os.environ["GOVHALL_TEST_TICK_FILE"], "a", encoding="ascii") as out:
        out.write(f"{os.getpid()} {time.time():.3f}\n")
    time.sleep(0.05)  # long enough for the other scheduler to try the same slot
    return {"pid": os.getpid()}
