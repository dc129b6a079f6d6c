"""The signed links of account mails: Django's password reset tokens, and the sign-up's own.

Both are HMACs of the account's state with a timestamp, checked against PASSWORD_RESET_TIMEOUT,
and nothing is stored. A reset link stops working once the password changes or the person signs
in (Django's token covers the password hash and last sign-in); a sign-up link once the account
is active (its token covers that too)."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.models import User

password_reset_tokens = default_token_generator


class SignupTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.SignupTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{int(user.is_active)}"


signup_tokens = SignupTokenGenerator()


def uid_encode(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def user_from_uid(uidb64: str) -> User | None:
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    return User.objects.filter(pk=pk).first()
