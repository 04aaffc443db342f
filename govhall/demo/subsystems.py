"""Demo loaders of the second-wave subsystems, run by ``load_demo`` after the spine's data.

Each subsystem adds one module ``govhall/demo/<subsystem>.py`` with
``load(password: str) -> str`` (idempotent; returns the line ``load_demo`` prints) and
one entry here, so subsystems never edit each other's demo code.
"""

from importlib import import_module

#: Module names under ``govhall.demo``, loaded in this order.
LOADERS: list[str] = [
    "payments",  # first: its items are in the open datasets and the scans the others run
    "supervision",
    "spaces",
    "assistant",
    "sharing",
    "channels",
    "baselib",
]


def load_all(password: str):
    """Run every subsystem's loader; yield the lines they report."""
    for name in LOADERS:
        line = import_module(f"govhall.demo.{name}").load(password)
        if line:
            yield line
