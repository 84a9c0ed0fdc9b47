"""Last line of defence: a log record whose text the rules flag is written redacted.

Nothing should reach a log line with a secret in it (log calls are built from guarded
fields), but an exception message from a library or a URL someone typed into a command
line can. Attached to every handler in ``settings.LOGGING``.
"""

from __future__ import annotations

import logging

from launchready.guard.fields import scrub_text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logging's problem, not ours
            return True
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        scrubbed = scrub_text(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        if record.exc_text:
            record.exc_text = scrub_text(record.exc_text)
        return True
