"""The secret-value guard: one place that decides what counts as a secret value and keeps
it out of everything Launch Ready stores, shows, logs, mails or signs.

- ``rules``: the scanner's detection rules (shared with the git scanner).
- ``fields``: model fields that refuse (user text) or redact (text from the outside world)
  anything the rules flag, at validation *and* at every ORM write.
- ``forms``: the form mixin that blanks a refused field and never echoes the value.
- ``crypto``: Fernet-encrypted fields for the few secrets the app itself must hold.
- ``checks``: the system check that fails on an unguarded text field.
- ``logfilter``: the last line of defence for log records.
"""
