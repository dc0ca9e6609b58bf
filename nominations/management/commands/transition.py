"""Run an application, cycle or objection act from the command line, through the service that
owns it: applications and cycles through nominations.services.acts, an objection's steps
(investigate, then uphold or dismiss with the written resolution in --note) through
nominations.services.objections. The committee decision is judging's `record_decision` command."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from nominations.errors import WorkflowError
from nominations.models import Application, Cycle, Objection, ObjectionState
from nominations.services.acts import application_act, cycle_act
from nominations.services.objections import objection_investigate, objection_resolve

OBJECTION_STEPS = {"investigate": None, "uphold": ObjectionState.UPHELD, "dismiss": ObjectionState.DISMISSED}


class Command(BaseCommand):
    help = ("Run a transition: transition application|cycle|objection <id> <name> --as <username> [--note ...]. "
            "Objections: investigate, uphold, dismiss (--note: the written resolution, sent to the objector).")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["application", "cycle", "objection"])
        parser.add_argument("pk", type=int)
        parser.add_argument("name")
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--note", "--resolution", dest="note", default="",
                            help="the note or reason; for uphold/dismiss the written resolution")
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
            elif kind == "cycle":
                cycle = Cycle.objects.filter(pk=pk).first()
                if cycle is None:
                    raise CommandError(f"No cycle {pk}.")
                obj = cycle_act(cycle=cycle, name=name, actor=actor, note=note, announcement=announcement)
                self.stdout.write(self.style.SUCCESS(f"{obj}: {obj.status}"))
            else:
                obj = self._objection(pk, name, actor, note)
                self.stdout.write(self.style.SUCCESS(f"{obj.receipt}: {obj.status}"))
        except WorkflowError as exc:
            details = "".join(f"\n  - {m}" for m in exc.missing if m != exc.message)
            raise CommandError(f"{exc.message}{details}") from exc

    def _objection(self, pk: int, name: str, actor, note: str) -> Objection:
        if name not in OBJECTION_STEPS:
            raise CommandError(f"Unknown objection step {name!r}: use one of {', '.join(OBJECTION_STEPS)}.")
        objection = Objection.objects.filter(pk=pk).first()
        if objection is None:
            raise CommandError(f"No objection {pk}.")
        if name == "investigate":
            return objection_investigate(objection=objection, actor=actor)
        return objection_resolve(objection=objection, actor=actor, outcome=OBJECTION_STEPS[name], resolution=note)
