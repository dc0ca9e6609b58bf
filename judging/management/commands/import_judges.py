"""Import judges from a CSV or XLSX file (all rows valid, or nothing imported)."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from judging.errors import WorkflowError
from judging.services import judges_import


class Command(BaseCommand):
    help = ("Import judges. Columns: username, name, email, title, affiliation, affiliation_uscc, expertise "
            "(Chinese headers accepted).")

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--actor", default="", help="username recorded in the audit log (a secretariat user)")

    def handle(self, *args, path: str, actor: str, **options):
        user = get_user_model().objects.filter(username=actor).first() if actor else None
        if actor and user is None:
            raise CommandError(f"Unknown user: {actor}")
        try:
            result = judges_import(file=path, actor=user, system=True)
        except FileNotFoundError as exc:
            raise CommandError(f"File not found: {path}") from exc
        except WorkflowError as exc:
            lines = [exc.message, *[m for ms in exc.field_errors.values() for m in ms]]
            raise CommandError("\n".join(lines)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"新建 {len(result.created)} 位、更新 {len(result.updated)} 位评审专家 / "
            f"{len(result.created)} created, {len(result.updated)} updated."))
