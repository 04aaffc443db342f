"""``python -m govhall.operations.deploycheck [ENV_FILE]`` (``make deploy-check``): Django's
``check --deploy`` and govhall's configuration checks with production settings.

The environment file (default ``deploy/govhall.env.example``) is read as systemd reads
it; variables already in the environment win. A secret that is missing or still
``CHANGE_ME`` gets a throwaway value for the check only — and the output says so — so
the check can run anywhere; on the server, point it at the real /etc/govhall/govhall.env.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = "CHANGE_ME"


def _throwaway() -> dict[str, str]:
    from govhall.accounts import keys  # generates keys as development settings do

    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "GOVHALL_FIELD_KEY": keys._generate_fernet_key(),
        "GOVHALL_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "GOVHALL_OIDC_RSA_PRIVATE_KEY": keys._generate_rsa_pem(),
        "GOVHALL_METRICS_TOKEN": secrets.token_urlsafe(32),
        "GOVHALL_BACKUP_KEY": secrets.token_urlsafe(32),
        "GOVHALL_BACKUP_KEYS_KEY": secrets.token_urlsafe(32),
    }


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def main(argv: list[str]) -> int:
    env_file = Path(argv[0]) if argv else ROOT / "deploy" / "govhall.env.example"
    for key, value in read_env_file(env_file).items():
        os.environ.setdefault(key, value)
    os.environ["DEBUG"] = "0"
    var_dir = os.environ.get("GOVHALL_VAR_DIR")
    if var_dir and not Path(var_dir).is_dir():  # not on the server: create nothing there
        scratch = tempfile.mkdtemp(prefix="govhall-deploy-check-")
        atexit.register(shutil.rmtree, scratch, True)
        os.environ["GOVHALL_VAR_DIR"] = scratch
    key_file = os.environ.get("GOVHALL_OIDC_RSA_PRIVATE_KEY_FILE", "")
    if key_file and not Path(key_file).is_file():
        del os.environ["GOVHALL_OIDC_RSA_PRIVATE_KEY_FILE"]
    invented = []
    for key, value in _throwaway().items():
        if os.environ.get(key, PLACEHOLDER) == PLACEHOLDER:
            if key == "GOVHALL_OIDC_RSA_PRIVATE_KEY" and os.environ.get(
                "GOVHALL_OIDC_RSA_PRIVATE_KEY_FILE"
            ):
                continue
            os.environ[key] = value
            invented.append(key)
    print(f"deploy-check: settings from {env_file}, DEBUG=0")
    if invented:
        print("deploy-check: throwaway values for the check only: " + ", ".join(invented))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
