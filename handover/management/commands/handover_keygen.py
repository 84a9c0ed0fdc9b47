"""Create a self-signed certificate and key for signing handovers on a laptop or demo."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from handover.signing import keygen


class Command(BaseCommand):
    help = (
        "Create a SELF-SIGNED signing certificate and key at HANDOVER_SIGNER_CERT_FILE / "
        "HANDOVER_SIGNER_KEY_FILE. For a laptop or a demo only: in production, use a "
        "certificate issued to the consultant."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--name", default="Launch Ready demo signer", help="Common name on the certificate."
        )
        parser.add_argument("--organisation", default="Launch Ready")
        parser.add_argument("--email", default="")
        parser.add_argument("--days", type=int, default=825)
        parser.add_argument("--cert", type=Path, help="Certificate path (default: the setting).")
        parser.add_argument("--key", type=Path, help="Key path (default: the setting).")
        parser.add_argument(
            "--passphrase-from-settings",
            action="store_true",
            help="Encrypt the key with HANDOVER_SIGNER_PASSPHRASE.",
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--if-missing", action="store_true", help="Do nothing if both files exist."
        )
        mode.add_argument("--force", action="store_true", help="Replace existing files.")

    def handle(self, *args, **opts):
        cert_path = opts["cert"] or Path(settings.HANDOVER_SIGNER_CERT_FILE)
        key_path = opts["key"] or Path(settings.HANDOVER_SIGNER_KEY_FILE)
        existing = [p for p in (cert_path, key_path) if p.exists()]
        if opts["if_missing"] and len(existing) == 2:
            self.stdout.write(f"Signing certificate already present at {cert_path}; nothing to do.")
            return
        if existing and not opts["force"]:
            raise CommandError(
                f"{', '.join(map(str, existing))} already exist. Use --force to replace them "
                "(handovers signed with the old certificate stay verifiable)."
            )
        passphrase = (
            settings.HANDOVER_SIGNER_PASSPHRASE if opts["passphrase_from_settings"] else None
        )
        if opts["passphrase_from_settings"] and not passphrase:
            raise CommandError("HANDOVER_SIGNER_PASSPHRASE is empty.")
        result = keygen(
            common_name=opts["name"],
            organisation=opts["organisation"],
            email=opts["email"],
            days=opts["days"],
            passphrase=passphrase,
            cert_path=cert_path,
            key_path=key_path,
        )
        self.stdout.write(
            self.style.WARNING(
                "Created a SELF-SIGNED signing certificate. It is fine for a laptop or a demo, "
                "but PDF readers will not trust it: in production set HANDOVER_SIGNER_CERT_FILE "
                "and HANDOVER_SIGNER_KEY_FILE to a certificate issued to the consultant."
            )
        )
        self.stdout.write(f"Certificate: {result.cert_path}")
        self.stdout.write(f"Private key: {result.key_path}{' (encrypted)' if passphrase else ''}")
        self.stdout.write(f"Signer:      {result.info.name}")
        self.stdout.write(f"Fingerprint: {result.info.fingerprint}")
        self.stdout.write(f"Valid until: {result.info.not_after:%Y-%m-%d}")
