"""Issuer keys: each issuing department's SM2 key (canonical signatures, QR payloads)
and its P-256 key and certificate for PAdES (pyHanko has no SM2).

Private keys are Fernet-encrypted under ``GOVHALL_FIELD_KEYS`` (from the environment).
Rotation retires a key and makes a new one; retired keys stay published so that
licences signed with them still verify.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IssuerKey(models.Model):
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("签发部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issuer_keys",
        help_text=_("为空表示平台根证书。"),
    )
    key_id = models.CharField(_("密钥标识"), max_length=16, unique=True)
    sm2_public_key = models.CharField(_("SM2公钥（十六进制）"), max_length=128)
    sm2_private_key = models.TextField(_("SM2私钥（加密）"))
    certificate = models.TextField(_("数字证书（PEM）"))
    certificate_key = models.TextField(_("证书私钥（加密PEM）"))
    sm2_certificate = models.TextField(
        _("SM2数字证书（PEM）"),
        blank=True,
        help_text=_("SM2公钥的X.509证书，由平台根密钥以SM2-SM3签发，供离线核验证照。"),
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("签发密钥")
        verbose_name_plural = _("签发密钥")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["department"],
                condition=models.Q(retired_at__isnull=True),
                name="issuer_key_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department or '平台根证书'} {self.key_id}"

    @property
    def is_root(self) -> bool:
        return self.department_id is None
