from django.core.management.base import BaseCommand

from clients.services import PLAYBOOK_PATH, playbook_load


class Command(BaseCommand):
    help = "Load the playbook kept in the repository (stages, checklist items, targets, glossary)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace staff edits with the repository's text.",
        )

    def handle(self, *args, overwrite: bool = False, **options):
        result = playbook_load(path=PLAYBOOK_PATH, overwrite=overwrite)
        self.stdout.write(
            f"Playbook: {result.stages} stages, {result.items_created} items added, "
            f"{result.items_updated} updated."
        )
