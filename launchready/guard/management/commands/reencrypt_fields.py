"""Re-encrypt every encrypted field under the newest key in FIELD_ENCRYPTION_KEYS.

Rotation: put a new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it),
restart, run this, then drop the old keys. Values that no configured key can decrypt are
left untouched and counted (exit 1), never overwritten.
"""

from __future__ import annotations

import sys

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from launchready.guard.crypto import encrypted_fields, rotate


class Command(BaseCommand):
    help = "Re-encrypt stored secrets under the newest FIELD_ENCRYPTION_KEYS key."

    def handle(self, *args, **opts):
        rotated = failed = 0
        quote = connection.ops.quote_name
        for field in encrypted_fields():
            model = field.model
            table, column, pk = (
                quote(model._meta.db_table),
                quote(field.column),
                quote(model._meta.pk.column),
            )
            with transaction.atomic(), connection.cursor() as cursor:
                # Raw rows: the field's from_db_value would decrypt (or blank) the value.
                cursor.execute(f"SELECT {pk}, {column} FROM {table} WHERE {column} <> ''")  # noqa: S608
                for row_pk, stored in cursor.fetchall():
                    try:
                        new = rotate(stored)
                    except InvalidToken:
                        failed += 1
                        continue
                    with connection.cursor() as update:
                        update.execute(
                            f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                            [new, row_pk],
                        )
                    rotated += 1
            self.stdout.write(f"{model._meta.label}.{field.name}: done")
        self.stdout.write(f"Re-encrypted {rotated} value(s).")
        if failed:
            self.stderr.write(
                f"{failed} value(s) could not be decrypted with any configured key and were left "
                "as "
                "they are."
            )
            sys.exit(1)
