"""Run an application or cycle act from the command line, through the service that owns it
(nominations.services.acts). The committee decision is judging's `record_decision` command."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from nominations.errors import WorkflowError
from nominations.models import Application, Cycle
from nominations.services.acts import application_act, cycle_act


class Command(BaseCommand):
    help = "Run a transition: transition application|cycle <id> <name> --as <username> [--note ...]"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["application", "cycle"])
        parser.add_argument("pk", type=int)
        parser.add_argument("name")
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--note", default="")
        parser.add_argument("--override-reason", default="")
        parser.add_argument("--announcement", default=None, help="publish: the announcement (公告) text")

    def handle(self, kind, pk, name, username, note, override_reason, announcement, **options):
        actor = get_user_model().objects.filter(username=username).first()
        if actor is None:
            raise CommandError(f"No user {username!r}.")
        try:
            if kind == "application":
                app = Application.objects.filter(pk=pk).first()
                if app is None:
                    raise CommandError(f"No application {pk}.")
                obj = application_act(application=app, name=name, actor=actor, note=note,
                                      override_reason=override_reason, announcement=announcement)
                self.stdout.write(self.style.SUCCESS(f"{obj.reference or obj.pk}: {obj.state}"))
            else:
                cycle = Cycle.objects.filter(pk=pk).first()
                if cycle is None:
                    raise CommandError(f"No cycle {pk}.")
                obj = cycle_act(cycle=cycle, name=name, actor=actor, note=note, announcement=announcement)
                self.stdout.write(self.style.SUCCESS(f"{obj}: {obj.status}"))
        except WorkflowError as exc:
            details = "".join(f"\n  - {m}" for m in exc.missing)
            raise CommandError(f"{exc.message}{details}") from exc
