"""``manage.py backup_codes USERNAME...``: print each account's unused backup codes, issuing ten new
ones when fewer than three are left (or always with ``--new``). For DUO-beheer, to let a user who lost
the phone sign in again, and for ``make demo`` (each demo account's codes)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.services import issue_backup_codes, unused_backup_codes


class Command(BaseCommand):
    help = "Toont de ongebruikte back-upcodes van accounts (en maakt nieuwe als er minder dan 3 over zijn)."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="+", help="gebruikersnamen")
        parser.add_argument("--new", action="store_true", help="altijd tien nieuwe codes (de oude vervallen)")

    def handle(self, *args, usernames, new, **options):
        users = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
        missing = [name for name in usernames if name not in users]
        if missing:
            raise CommandError(f"Onbekende gebruikersnaam: {', '.join(missing)}")
        self.stdout.write("Back-upcodes voor de tweede stap (elke code werkt één keer):")
        for name in usernames:
            codes = unused_backup_codes(users[name])
            if new or len(codes) < 3:
                codes = issue_backup_codes(users[name])
            self.stdout.write(f"  {name:<12} {' '.join(codes)}")
