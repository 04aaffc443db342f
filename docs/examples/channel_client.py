"""A complete third-party channel client of the online service hall (网上办事大厅).

What a city-service entry in a payment, messaging or bank app (or a self-service
terminal) does to serve a person through the hall, using only the documented API
(docs/channels.md, docs/api.md):

1. sign the person in through the hall's OpenID Connect provider — authorization code
   flow with PKCE (S256); the person types their password on the hall's own page and
   approves what the channel may do (授权范围) there;
2. search the catalogue and read the service guide (办事指南);
3. upload the materials to the person's locker and apply in one call (一次提交);
4. pay the case's fee (the payment order, the person pays at the payment platform, the
   order's state until paid, the electronic receipt);
5. read the case's progress.

Plain ``requests``; no Django, nothing from the hall's code. Run it by hand with
``python docs/examples/channel_client.py --help``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import requests

TIMEOUT = 15


class HallError(Exception):
    """The hall refused a call: ``status`` and its ``errors`` [{field, code, message}]."""

    def __init__(self, status: int, errors: list[dict]):
        self.status, self.errors = status, errors
        super().__init__(f"{status}: " + "；".join(e.get("message", "") for e in errors))


@dataclass
class SignIn:
    """One authorisation in progress: keep it (server side) until the redirect comes back."""

    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass
class Tokens:
    access_token: str
    refresh_token: str = ""
    id_token: str = ""
    scope: str = ""
    expires_in: int = 0
    extra: dict = field(default_factory=dict)


def _pkce_pair() -> tuple[str, str]:
    """RFC 7636: a random verifier and its S256 challenge (base64url, no padding)."""
    verifier = secrets.token_urlsafe(64)[:96]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class HallClient:
    """The channel's side of the conversation with the hall."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        scope: str = "openid profile cases payments",
        http: requests.Session | None = None,
        timeout: float = TIMEOUT,
    ):
        self.base = base_url.rstrip("/")
        self.client_id, self.client_secret = client_id, client_secret
        self.redirect_uri, self.scope = redirect_uri, scope
        self.http = http or requests.Session()
        self.timeout = timeout
        self.tokens: Tokens | None = None
        self._discovery: dict | None = None

    def close(self) -> None:
        """Close the kept-alive HTTP connections (or use the client in a ``with`` block)."""
        self.http.close()

    def __enter__(self) -> HallClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- signing in (OpenID Connect, authorization code + PKCE) -------------------------
    def discovery(self) -> dict:
        if self._discovery is None:
            answer = self.http.get(
                f"{self.base}/.well-known/openid-configuration", timeout=self.timeout
            )
            answer.raise_for_status()
            self._discovery = answer.json()
        return self._discovery

    def start_sign_in(self) -> SignIn:
        """The URL to open in the app's web view (the hall's login and consent pages)."""
        verifier, challenge = _pkce_pair()
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        url = f"{self.discovery()['authorization_endpoint']}?{urlencode(query)}"
        return SignIn(url, state, nonce, verifier)

    def finish_sign_in(self, sign_in: SignIn, callback_url: str) -> Tokens:
        """The redirect came back to ``redirect_uri``: check ``state`` (and ``iss``), then
        exchange the code (with the PKCE verifier and the client secret) for tokens."""
        query = {k: v[0] for k, v in parse_qs(urlparse(callback_url).query).items()}
        if "error" in query:
            raise HallError(
                400,
                [
                    {
                        "field": "authorization",
                        "code": query["error"],
                        "message": query.get("error_description", query["error"]),
                    }
                ],
            )
        if query.get("state") != sign_in.state:
            raise HallError(
                400,
                [
                    {
                        "field": "state",
                        "code": "mismatch",
                        "message": "state不一致：可能是伪造的回调，已拒绝。",
                    }
                ],
            )
        issuer = self.discovery()["issuer"]
        if "iss" in query and query["iss"].rstrip("/") != issuer.rstrip("/"):
            raise HallError(
                400,
                [
                    {
                        "field": "iss",
                        "code": "mismatch",
                        "message": "回调的签发方与大厅不一致，已拒绝。",
                    }
                ],
            )
        return self._token_request(
            {
                "grant_type": "authorization_code",
                "code": query["code"],
                "redirect_uri": self.redirect_uri,
                "code_verifier": sign_in.code_verifier,
            }
        )

    def refresh(self) -> Tokens:
        return self._token_request(
            {"grant_type": "refresh_token", "refresh_token": self.tokens.refresh_token}
        )

    def _token_request(self, form: dict) -> Tokens:
        answer = self.http.post(
            self.discovery()["token_endpoint"],
            data=form,
            auth=(self.client_id, self.client_secret),
            timeout=self.timeout,
        )
        if answer.status_code != 200:
            body = answer.json() if answer.content else {}
            raise HallError(
                answer.status_code,
                [
                    {
                        "field": "token",
                        "code": body.get("error", ""),
                        "message": body.get("error_description", ""),
                    }
                ],
            )
        body = answer.json()
        self.tokens = Tokens(
            access_token=body["access_token"],
            refresh_token=body.get("refresh_token", ""),
            id_token=body.get("id_token", ""),
            scope=body.get("scope", ""),
            expires_in=body.get("expires_in", 0),
            extra=body,
        )
        return self.tokens

    # --- calling the API ----------------------------------------------------------------
    def call(self, method: str, path: str, *, auth: bool = True, **kwargs):
        headers = kwargs.pop("headers", {})
        if auth:
            headers["Authorization"] = f"Bearer {self.tokens.access_token}"
        answer = self.http.request(
            method,
            f"{self.base}/api/v1/{path.lstrip('/')}",
            headers=headers,
            timeout=self.timeout,
            **kwargs,
        )
        if answer.status_code == 401 and auth and self.tokens and self.tokens.refresh_token:
            self.refresh()  # an expired access token: once more with a fresh one
            headers["Authorization"] = f"Bearer {self.tokens.access_token}"
            answer = self.http.request(
                method,
                f"{self.base}/api/v1/{path.lstrip('/')}",
                headers=headers,
                timeout=self.timeout,
                **kwargs,
            )
        if answer.status_code >= 400:
            try:
                errors = answer.json().get("errors", [])
            except ValueError:
                errors = [{"field": "", "code": "http", "message": answer.text[:200]}]
            raise HallError(answer.status_code, errors)
        return answer.json() if answer.content else None

    def me(self) -> dict:
        return self.call("GET", "me")

    # search and guides: public, no token needed
    def search(self, q: str, region: str = "") -> list[dict]:
        params = {"q": q, **({"region": region} if region else {})}
        return self.call("GET", "items/", auth=False, params=params)["results"]

    def guide(self, implementation_code: str) -> dict:
        return self.call("GET", f"items/{implementation_code}/", auth=False)

    # applying (scope "cases")
    def upload(self, content: bytes, filename: str, title: str, key: str = "") -> dict:
        """Put one file into the person's materials locker; returns it (``public_id``)."""
        files = {"file": (filename, content, "application/pdf")}
        return self.call("POST", "my/materials/", files=files, data={"title": title, "key": key})

    def apply(
        self,
        implementation_code: str,
        answers: dict,
        files: dict[str, dict],
        contact: dict,
        idempotency_key: str | None = None,
    ) -> dict:
        """The whole application in one call. ``files``: material key (``material_key``)
        → uploaded file.
        Send the same ``idempotency_key`` when retrying after a timeout: the hall answers
        with the same cases instead of opening new ones."""
        body = {
            "item": implementation_code,
            "answers": answers,
            "materials": [{"key": k, "locker_file": f["public_id"]} for k, f in files.items()],
            **contact,
        }
        key = idempotency_key or str(uuid.uuid4())
        return self.call("POST", "applications/apply", json=body, headers={"Idempotency-Key": key})

    # progress (scope "cases")
    def my_cases(self) -> list[dict]:
        return self.call("GET", "my/cases/")["results"]

    def case(self, number: str) -> dict:
        return self.call("GET", f"my/cases/{number}/")

    # payment (scope "payments")
    def fee(self, number: str) -> dict:
        """The case's fee: ``assessment`` (缴款码, lines and total in fen, ``state``
        due / paid) once assessed, and the catalogue's fee items."""
        return self.call("GET", f"my/cases/{number}/fee")

    def open_payment(self, number: str, channel: str = "") -> dict:
        """A payment order for the assessed fee; calling again returns the same pending
        order (a double tap never opens two). Send the person to ``pay_url`` (absolute
        here) or show ``qr_text`` as a QR code."""
        order = self.call("POST", f"my/cases/{number}/fee/orders", json={"channel": channel})
        if order["pay_url"].startswith("/"):
            order["pay_url"] = self.base + order["pay_url"]
        return order

    def payment(self, order_number: str, *, refresh: bool = True) -> dict:
        """The order's state; ``refresh`` asks the hall to query the payment platform
        first (the platform's notification may be late or lost)."""
        params = {"refresh": "true"} if refresh else {}
        return self.call("GET", f"my/payment-orders/{order_number}", params=params)

    def wait_until_paid(self, order_number: str, timeout: float = 60, every: float = 2) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            order = self.payment(order_number)
            if order["state"] != "pending" or time.monotonic() >= deadline:
                return order
            time.sleep(every)

    def receipt(self, number: str) -> bytes:
        """The electronic receipt (电子票据), a signed PDF, once paid."""
        answer = self.http.get(
            f"{self.base}/api/v1/my/cases/{number}/fee/receipt.pdf",
            headers={"Authorization": f"Bearer {self.tokens.access_token}"},
            timeout=self.timeout * 4,  # a signed PDF is made on the spot
        )
        if answer.status_code != 200:
            raise HallError(answer.status_code, answer.json().get("errors", []))
        return answer.content

    # licences (scope "licences": only when the holder granted it at sign-in)
    def licences(self) -> list[dict]:
        answer = self.call("GET", "my/licences/")
        return answer["results"] if isinstance(answer, dict) else answer


def material_key(material: dict) -> str:
    """The key the application names a guide's material by: ``N:<name>``, or for one an
    e-licence stands for ``L:<licence type code>`` (the same key in every item)."""
    if material.get("licence_type_code"):
        return f"L:{material['licence_type_code']}"
    return f"N:{material['name']}"


def required_uploads(guide: dict) -> list[dict]:
    """The materials the applicant must supply themself (the hall fetches the others)."""
    return [
        m
        for m in guide["materials"]
        if m["required"]
        and m.get("provided_by", "applicant") == "applicant"
        and m["source"] == "applicant"
    ]


def main() -> None:  # pragma: no cover - for running by hand against a hall
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--redirect-uri", required=True)
    parser.add_argument("--search", default="最低生活保障")
    parser.add_argument("--pdf", type=Path, help="a PDF to upload for each material")
    args = parser.parse_args()
    hall = HallClient(args.base, args.client_id, args.client_secret, args.redirect_uri)
    sign_in = hall.start_sign_in()
    print("请在浏览器中打开并登录授权：\n" + sign_in.url)
    callback = input("授权后浏览器跳转到的完整地址：").strip()
    hall.finish_sign_in(sign_in, callback)
    print("已登录：", hall.me()["name"])
    for item in hall.search(args.search)[:5]:
        print(item["implementation_code"], item["name"])
    for case in hall.my_cases()[:5]:
        print(case["number"], case["item_name"], case["state_label"])


if __name__ == "__main__":
    main()
