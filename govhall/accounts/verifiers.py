"""Online real-name verification against a trusted source (在线实名核验), pluggable.

``settings.GOVHALL_REALNAME_VERIFIER`` names a class implementing ``BaseVerifier``. A
production deployment plugs in the client of its trusted source (the public-security
citizen-identity service, the market-regulation company registry, or the province's
population and legal-person base libraries); the interface is deliberately small:

* ``verify_person(id_number, name)`` — do this number and this name belong together?
* ``verify_company(credit_code, name, representative_id_number, representative_name)``
  — is this company registered under this name, with this legal representative?

Each returns a ``Outcome``: ``passed`` / ``failed`` / ``unavailable``, the source's
transaction reference (kept as evidence) and, when not passed, a Chinese reason that
can be shown to the user. Implementations must not log ID numbers in clear.

``FakeVerifier`` is for development and tests only, with fixed, documented rules:
a name containing “不符” fails, a name containing “故障” makes the source unavailable,
everything else that is well-formed passes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

PASSED = "passed"
FAILED = "failed"
UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Outcome:
    result: str
    reference: str = ""
    message: str = ""
    source: str = ""

    @property
    def passed(self) -> bool:
        return self.result == PASSED


class BaseVerifier:
    source_name = ""

    def verify_person(self, id_number: str, name: str) -> Outcome:
        raise NotImplementedError

    def verify_company(
        self,
        credit_code: str,
        name: str,
        representative_id_number: str,
        representative_name: str,
    ) -> Outcome:
        raise NotImplementedError


class FakeVerifier(BaseVerifier):
    """Local stand-in for the trusted sources; never use it in production."""

    source_name = _("本地模拟核验源（开发用）")

    def _reference(self, *parts: str) -> str:
        digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
        return f"FAKE-{digest.upper()}"

    def _judge(self, name: str, what: str, *parts: str) -> Outcome:
        if _("故障") in name:
            return Outcome(UNAVAILABLE, "", _("核验服务暂时不可用，请稍后再试。"), self.source_name)
        if _("不符") in name:
            return Outcome(
                FAILED,
                self._reference(*parts),
                _("%(what)s与可信数据源登记的信息不一致。") % {"what": what},
                self.source_name,
            )
        return Outcome(PASSED, self._reference(*parts), "", self.source_name)

    def verify_person(self, id_number: str, name: str) -> Outcome:
        return self._judge(name, _("姓名与身份证号码"), id_number, name)

    def verify_company(self, credit_code, name, representative_id_number, representative_name):
        return self._judge(
            name + representative_name,
            _("企业名称、统一社会信用代码或法定代表人"),
            credit_code,
            name,
            representative_id_number,
        )


def get_verifier() -> BaseVerifier:
    return import_string(settings.GOVHALL_REALNAME_VERIFIER)()
