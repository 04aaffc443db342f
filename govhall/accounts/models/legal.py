"""The 用户服务协议 and the 个人信息保护说明: versioned documents, and who accepted which.

《中华人民共和国个人信息保护法》第十四条、第十七条: consent is given on full information
and asked for again when the purpose or the way of processing changes. So each document is
published as a numbered version that is never edited afterwards (a change is a new
version), the registration tick links to the versions in force, and each person's
acceptance names the exact version; when a newer version is published, the person is
asked again at their next sign-in.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LegalDocument(models.Model):
    class Kind(models.TextChoices):
        TERMS = "terms", _("用户服务协议")
        PRIVACY = "privacy", _("个人信息保护说明")

    kind = models.CharField(_("文件"), max_length=10, choices=Kind.choices)
    version = models.PositiveIntegerField(_("版本号"), editable=False)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(
        _("正文"), help_text=_("纯文本；空行分段，以“#”开头的行为小标题。发布后不能再修改。")
    )
    summary_of_changes = models.CharField(
        _("本版修改说明"), max_length=300, blank=True, help_text=_("再次征求同意时向用户展示。")
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("协议与说明")
        verbose_name_plural = _("协议与说明（用户服务协议、个人信息保护说明）")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "version"], name="legaldocument_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} 第{self.version}版"

    def get_absolute_url(self) -> str:
        return reverse(
            "accounts:legal-version", kwargs={"kind": self.kind, "version": self.version}
        )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def clean(self):
        if self.pk and self.is_published:
            stored = LegalDocument.objects.filter(pk=self.pk).values("title", "body").first()
            if stored and (stored["title"] != self.title or stored["body"] != self.body):
                raise ValidationError(_("已发布的版本不能修改，请新建一个版本。"))

    def paragraphs(self) -> list[tuple[str, str]]:
        """(``"h"`` or ``"p"``, text) blocks for the page."""
        blocks = []
        for chunk in self.body.replace("\r\n", "\n").split("\n\n"):
            text = chunk.strip()
            if not text:
                continue
            if text.startswith("#"):
                blocks.append(("h", text.lstrip("#").strip()))
            else:
                blocks.append(("p", " ".join(line.strip() for line in text.splitlines())))
        return blocks


class LegalAcceptance(models.Model):
    """One person's acceptance of one version of one document."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="legal_acceptances",
    )
    document = models.ForeignKey(
        LegalDocument,
        verbose_name=_("文件版本"),
        on_delete=models.PROTECT,
        related_name="acceptances",
    )
    accepted_at = models.DateTimeField(_("同意时间"), default=timezone.now)
    how = models.CharField(
        _("方式"),
        max_length=20,
        choices=[("registration", _("注册时勾选")), ("sign_in", _("登录后再次确认"))],
    )

    class Meta:
        verbose_name = _("协议同意记录")
        verbose_name_plural = _("协议同意记录")
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "document"], name="legalacceptance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.document}"
