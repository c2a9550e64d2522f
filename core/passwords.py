"""The site's password rules in one plain sentence, with Japanese errors.

Django's four validators (similar to the person, too short, too common, digits only) checked as
one, so the sign-up and password pages show a single sentence instead of four list items.
"""

from __future__ import annotations

from django.contrib.auth import password_validation as pv
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "password_too_short": _("パスワードが短すぎます。%(min_length)s文字以上にしてください。"),
    "password_too_common": _("よく使われているパスワードです。ほかの人が推測しにくいものにしてください。"),
    "password_entirely_numeric": _("数字だけのパスワードは使えません。文字も入れてください。"),
    "password_too_similar": _("メールアドレスや氏名に似ています。別のパスワードにしてください。"),
}


class PasswordRulesValidator:
    """AUTH_PASSWORD_VALIDATORS = [{"NAME": "core.passwords.PasswordRulesValidator"}]"""

    def __init__(self, min_length: int = 10) -> None:
        self.min_length = min_length
        self.validators = [
            pv.UserAttributeSimilarityValidator(user_attributes=("email", "full_name", "full_name_kana")),
            pv.MinimumLengthValidator(min_length),
            pv.CommonPasswordValidator(),
            pv.NumericPasswordValidator(),
        ]

    def validate(self, password: str, user=None) -> None:
        errors = []
        for validator in self.validators:
            try:
                validator.validate(password, user)
            except ValidationError as error:
                for item in error.error_list:
                    message = MESSAGES.get(item.code)
                    errors.append(
                        ValidationError(message, code=item.code, params={"min_length": self.min_length})
                        if message
                        else item
                    )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _(
            "%(min_length)s文字以上で、数字だけのもの、よく使われているもの、"
            "メールアドレスや氏名に似たものは使えません。"
        ) % {"min_length": self.min_length}
