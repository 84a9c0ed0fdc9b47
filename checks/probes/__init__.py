"""Probes: the I/O of the checks, all through ``checks.net``. They gather facts into
frozen dataclasses and make no judgement."""
