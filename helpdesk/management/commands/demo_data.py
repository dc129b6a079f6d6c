from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from helpdesk.demo import DEMO_PASSWORD, demo_data_load


class Command(BaseCommand):
    help = "Load the demo helpdesk (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="The address to print for signing in.")

    def handle(self, *args, url, **options):
        logins = demo_data_load()
        self.stdout.write("")
        if url:
            self.stdout.write(self.style.SUCCESS(_("Helpdesk: %(url)s") % {"url": url}))
        self.stdout.write(
            _("Demo logins (password for all: %(password)s):") % {"password": DEMO_PASSWORD}
        )
        for login in logins:
            self.stdout.write(f"  {login.role:<17} {login.email}")
        self.stdout.write("")
