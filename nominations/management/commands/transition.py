"""Run an application or cycle transition from the command line, through the one service."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from nominations.errors import WorkflowError
from nominations.services.transitions import application_transition, cycle_transition


class Command(BaseCommand):
    help = "Run a transition: transition application|cycle <id> <name> --as <username> [--note ...]"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["application", "cycle"])
        parser.add_argument("pk", type=int)
        parser.add_argument("name")
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--note", default="")
        parser.add_argument("--override-reason", default="")

    def handle(self, kind, pk, name, username, note, override_reason, **options):
        actor = get_user_model().objects.filter(username=username).first()
        if actor is None:
            raise CommandError(f"No user {username!r}.")
        try:
            if kind == "application":
                obj = application_transition(application=pk, name=name, actor=actor, note=note,
                                             override_reason=override_reason)
                self.stdout.write(self.style.SUCCESS(f"{obj.reference or obj.pk}: {obj.state}"))
            else:
                obj = cycle_transition(cycle=pk, name=name, actor=actor, note=note)
                self.stdout.write(self.style.SUCCESS(f"{obj}: {obj.status}"))
        except WorkflowError as exc:
            details = "".join(f"\n  - {m}" for m in exc.missing)
            raise CommandError(f"{exc.message}{details}") from exc
