"""allauth's forms as the site shows them (ACCOUNT_FORMS in config/settings/base.py)."""

from __future__ import annotations

from allauth.account.forms import LoginForm as AllauthLoginForm


class LoginForm(AllauthLoginForm):
    """The 「パスワードをお忘れですか？」 link is written after the password field by the login
    template, so Tab goes email → password → link (allauth puts it in the help text, which is
    shown before the input)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""
