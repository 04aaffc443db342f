"""Forms of the identity pages. Domain rules live in services; forms carry the fields."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .backends import remote_addr_of, resolve_user
from .models import Channel, Power
from .services import lockout


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, on the named fields where they exist.
    A field that already has an error (e.g. required) keeps only that one."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        if name in form.fields and name in form.errors:
            continue
        form.add_error(name if name in form.fields else None, errors)


class LoginForm(AuthenticationForm):
    """Sign-in with ID number, mobile or username; says plainly when an account is locked
    and how many tries are left."""

    username = forms.CharField(
        label=_("身份证号码／手机号码／用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    channel = forms.ChoiceField(choices=Channel.choices, required=False, widget=forms.HiddenInput)

    error_messages = {
        "invalid_login": _("账号或密码不正确。"),
        "inactive": _("该账号已停用，请联系政务服务热线12345。"),
    }

    def clean(self):
        identifier = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password")
        addr = remote_addr_of(self.request)
        if identifier and password:
            lock = lockout.current_lock(resolve_user(identifier), identifier, addr)
            if lock is not None:
                raise ValidationError(lock.message, code="locked")
            try:
                return super().clean()
            except ValidationError:
                left = getattr(self.request, "govhall_login_tries_left", None)
                lock = lockout.current_lock(resolve_user(identifier), identifier, addr)
                if lock is not None:
                    raise ValidationError(lock.message, code="locked") from None
                if left:
                    raise ValidationError(
                        _("账号或密码不正确，还可尝试%(left)s次，之后账号将被暂时锁定。")
                        % {"left": left},
                        code="invalid_login",
                    ) from None
                raise
        return self.cleaned_data


class ChineseRequiredMixin:
    """“请填写<字段>。” instead of Django's generic required message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if (
                field.error_messages.get("required")
                == forms.Field.default_error_messages["required"]
            ):
                field.error_messages["required"] = _("请填写%(label)s。") % {"label": field.label}


class RegistrationForm(ChineseRequiredMixin, forms.Form):
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=30,
        help_text=_("18位居民身份证号码，末位X不区分大小写。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        help_text=_("与身份证上的姓名一致。"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    mobile = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        help_text=_("用于接收验证码和办事提醒。"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.CharField(
        label=_("电子邮箱（选填）"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        help_text=_("至少10位，须包含字母、数字、符号中的至少2种，不能包含出生日期或手机号码。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("再次输入密码"),
        strip=False,
        error_messages={"required": _("请再输入一遍密码，确认两次相同。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    agree = forms.BooleanField(
        label=_("我已阅读并同意《用户服务协议》和《个人信息保护说明》"),
        error_messages={"required": _("请阅读并同意用户服务协议和个人信息保护说明。")},
    )


class CodeForm(ChineseRequiredMixin, forms.Form):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        min_length=6,
        help_text=_("6位数字，5分钟内有效。"),
        error_messages={"min_length": _("验证码为6位数字。"), "required": _("请输入短信验证码。")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )


class SmsLoginForm(ChineseRequiredMixin, forms.Form):
    """Step 1 of the SMS sign-in: the mobile the code goes to."""

    mobile = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        help_text=_("注册时验证过的本人手机号码。"),
        error_messages={"required": _("请填写手机号码。")},
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    channel = forms.ChoiceField(choices=Channel.choices, required=False, widget=forms.HiddenInput)


class TokenForm(ChineseRequiredMixin, forms.Form):
    token = forms.CharField(
        label=_("动态口令"),
        max_length=6,
        help_text=_("打开身份验证器应用，输入当前显示的6位数字。"),
        error_messages={"required": _("请输入动态口令。")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )


class CompanyForm(ChineseRequiredMixin, forms.Form):
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=30,
        help_text=_("18位，见营业执照或登记证书。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(
        label=_("法人名称"), max_length=200, help_text=_("与登记证照上的名称一致。")
    )


class GrantForm(ChineseRequiredMixin, forms.Form):
    agent_id_number = forms.CharField(
        label=_("经办人身份证号码"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    agent_name = forms.CharField(label=_("经办人姓名"), max_length=50)
    powers = forms.MultipleChoiceField(
        label=_("授权事项"),
        choices=Power.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一项授权事项。")},
    )
    valid_from = forms.DateField(
        label=_("授权开始日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("请填写授权开始日期。"),
            "invalid": _("请按“年-月-日”填写日期。"),
        },
    )
    valid_until = forms.DateField(
        label=_("授权结束日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("请填写授权结束日期。"),
            "invalid": _("请按“年-月-日”填写日期。"),
        },
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因（选填）"), max_length=200, required=False)


class PasswordConfirmForm(ChineseRequiredMixin, forms.Form):
    password = forms.CharField(
        label=_("登录密码"),
        strip=False,
        help_text=_("为保护您的个人信息，下载前请再次输入密码。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CounterVerifyForm(ChineseRequiredMixin, forms.Form):
    id_number_read = forms.CharField(
        label=_("证件上的身份证号码"),
        max_length=30,
        help_text=_("读卡器读取或按证件逐位录入。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name_read = forms.CharField(label=_("证件上的姓名"), max_length=50)
    document_type = forms.ChoiceField(
        label=_("查验证件"),
        choices=[("居民身份证", "居民身份证"), ("临时居民身份证", "临时居民身份证")],
    )
    department = forms.TypedChoiceField(label=_("核验部门"), coerce=int, choices=())
    note = forms.CharField(label=_("备注（选填）"), max_length=200, required=False)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]


class ResetStartForm(ChineseRequiredMixin, forms.Form):
    identifier = forms.CharField(
        label=_("身份证号码或手机号码"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )


class ResetFinishForm(CodeForm):
    password = forms.CharField(
        label=_("新密码"),
        strip=False,
        help_text=_("至少10位，须包含字母、数字、符号中的至少2种，不能包含出生日期或手机号码。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        error_messages={"required": _("请再输入一遍新密码，确认两次相同。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
