"""An email backend whose server refuses every message, for retry tests."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class Backend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({"x": (550, b"refused")})
