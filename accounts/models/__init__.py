"""People: staff and customer accounts, customer records, the sign-in history and absences.

The models live in the modules named for them; they are imported here because Django finds an
app's models in `accounts.models`, and because the code and the migrations (0001 refers to
`accounts.models.UserManager` and `accounts.models.validate_time_zone`) import them from here."""

from accounts.models.absences import Absence, HandOver
from accounts.models.customers import Customer, CustomerChange, CustomerEmail
from accounts.models.sign_ins import LoginEvent
from accounts.models.users import User, UserManager, normalize_email_address, validate_time_zone

__all__ = [
    "Absence",
    "Customer",
    "CustomerChange",
    "CustomerEmail",
    "HandOver",
    "LoginEvent",
    "User",
    "UserManager",
    "normalize_email_address",
    "validate_time_zone",
]
