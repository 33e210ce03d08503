"""`create_api_token USERNAME --name NAME [--read-only]`: a token for scripts, printed once."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from trips.accounts import tokens
from trips.models import ApiToken, User


class Command(BaseCommand):
    help = (
        "Creates an API token for USERNAME's organisation and prints it (only its hash is "
        "stored). Changes made with it are recorded as USERNAME's, naming the token."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What uses the token.")
        parser.add_argument(
            "--read-only", action="store_true", help="A token that may read but not change."
        )
        parser.add_argument(
            "--days",
            type=int,
            default=tokens.DEFAULT_VALID_DAYS,
            help="Days it stays valid (default %(default)s).",
        )

    def handle(self, *args, username, name, read_only=False, days=365, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        if user.organisation_id is None:
            raise CommandError(f"{username!r} belongs to no organisation; a token needs one.")
        if not tokens.may_own_tokens(user):
            raise CommandError(
                f"{username!r} may not have API tokens: only an active compliance admin may "
                "(a token acts as its creator)."
            )
        name = name.strip()
        if not name or len(name) > ApiToken._meta.get_field("name").max_length:
            raise CommandError("--name must be 1 to 80 characters.")
        if days < 1:
            raise CommandError("--days must be at least 1.")
        if tokens.name_taken(user.organisation_id, name):
            raise CommandError(f"{user.organisation} already has a token named {name!r}.")
        role = ApiToken.Role.READ_ONLY if read_only else ApiToken.Role.READ_WRITE
        today = timezone.localdate()
        token, key = tokens.create_token(
            created_by=user, name=name, role=role, valid_until=today + timedelta(days=days)
        )
        self.stderr.write(
            f"Created the {token.get_role_display().lower()} token {name!r} for "
            f"{user.organisation}, valid until {token.valid_until}."
        )
        self.stdout.write(key)
