"""What counts as a secret value: the scanner's rules, shared by the git scanner and the
form validator that refuses pasted secrets.

Provider rules come from Yelp's detect-secrets (AWS, Stripe, Slack, GitHub, GitLab,
SendGrid, Mailchimp, Twilio, OpenAI, Discord, Telegram, npm, PyPI, Square, Azure, JWT,
private keys, basic-auth URLs, keyword assignments, base64/hex entropy). We call each
plugin's ``analyze_string`` directly, never ``analyze_line``: that path reads global
settings and can call a provider's API to "verify" a key, which we must never do.

Added here, because detect-secrets misses them: Google API keys, Anthropic keys,
unquoted ``NAME=value`` assignments in .env/shell/YAML files, PEM key bodies (so two
different private keys get different fingerprints), and a cheap pre-filter that lets
most lines skip the ~25 plugins (the keyword plugin alone costs ~90 µs a line).

Nothing in this module does I/O or logs; values live only in the returned ``Match``
objects, which callers turn into ``redact()`` + ``fingerprint()`` and drop.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from detect_secrets.filters import heuristic
from detect_secrets.plugins.aws import AWSKeyDetector
from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.basic_auth import BasicAuthDetector
from detect_secrets.plugins.discord import DiscordBotTokenDetector
from detect_secrets.plugins.github_token import GitHubTokenDetector
from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
from detect_secrets.plugins.high_entropy_strings import (
    Base64HighEntropyString,
    HexHighEntropyString,
)
from detect_secrets.plugins.jwt import JwtTokenDetector
from detect_secrets.plugins.keyword import (
    QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP as KEYWORD_QUOTED,
)
from detect_secrets.plugins.keyword import REGEX_BY_FILETYPE, KeywordDetector
from detect_secrets.plugins.mailchimp import MailchimpDetector
from detect_secrets.plugins.npm import NpmDetector
from detect_secrets.plugins.openai import OpenAIDetector
from detect_secrets.plugins.pypi_token import PypiTokenDetector
from detect_secrets.plugins.sendgrid import SendGridDetector
from detect_secrets.plugins.slack import SlackDetector
from detect_secrets.plugins.square_oauth import SquareOAuthDetector
from detect_secrets.plugins.stripe import StripeDetector
from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector
from detect_secrets.plugins.twilio import TwilioKeyDetector
from detect_secrets.util.filetype import determine_file_type
from django.conf import settings

# Rule id -> plain label shown to staff and founders.
RULE_LABELS: dict[str, str] = {
    "aws-key": "AWS access key",
    "azure-storage-key": "Azure storage key",
    "database-url": "Database URL with a password",
    "url-password": "URL with a password",
    "discord-token": "Discord bot token",
    "github-token": "GitHub token",
    "gitlab-token": "GitLab token",
    "google-api-key": "Google API key",
    "anthropic-key": "Anthropic API key",
    "jwt": "JSON Web Token",
    "mailchimp-key": "Mailchimp API key",
    "npm-token": "npm token",
    "openai-key": "OpenAI API key",
    "pypi-token": "PyPI token",
    "sendgrid-key": "SendGrid API key",
    "slack-token": "Slack token",
    "square-token": "Square OAuth secret",
    "stripe-key": "Stripe secret key",
    "telegram-token": "Telegram bot token",
    "twilio-key": "Twilio API key",
    "private-key": "Private key",
    "secret-assignment": "Password or secret assignment",
    "high-entropy": "High-entropy string",
}

# Order matters: on one line, the first rule to claim a value keeps it.
_PROVIDER_PLUGINS: list[tuple[str, RegexBasedDetector]] = [
    ("aws-key", AWSKeyDetector()),
    ("azure-storage-key", AzureStorageKeyDetector()),
    ("discord-token", DiscordBotTokenDetector()),
    ("github-token", GitHubTokenDetector()),
    ("gitlab-token", GitLabTokenDetector()),
    ("jwt", JwtTokenDetector()),
    ("mailchimp-key", MailchimpDetector()),
    ("npm-token", NpmDetector()),
    ("openai-key", OpenAIDetector()),
    ("pypi-token", PypiTokenDetector()),
    ("sendgrid-key", SendGridDetector()),
    ("slack-token", SlackDetector()),
    ("square-token", SquareOAuthDetector()),
    ("stripe-key", StripeDetector()),
    ("telegram-token", TelegramBotTokenDetector()),
    ("twilio-key", TwilioKeyDetector()),
]
_BASIC_AUTH = BasicAuthDetector()
_KEYWORD = KeywordDetector()
_BASE64 = Base64HighEntropyString(limit=4.5)
_HEX = HexHighEntropyString(limit=3.0)

_OWN_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("google-api-key", re.compile(r"\b(AIza[0-9A-Za-z_\-]{35})")),
    ("anthropic-key", re.compile(r"\b(sk-ant-[A-Za-z0-9_\-]{20,})")),
]
_PEM_BEGIN = re.compile(r"-----BEGIN ((?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY)")
_PEM_BODY = re.compile(r"^\s*[\"']?([A-Za-z0-9+/=]{40,})")
_DB_SCHEMES = re.compile(
    r"(postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql)://", re.I
)
# NAME=value / NAME: value with a secret-sounding NAME and an unquoted or quoted value.
_ASSIGNMENT = re.compile(
    r"(?i)(?:^|[\s{,;(]|export\s+)[\"']?([A-Z0-9_.\-]*(?:secret|passw(?:or)?d|pwd|token|api[_\-]?key|"
    r"private[_\-]?key|access[_\-]?key|auth[_\-]?key|signing[_\-]?key|credentials?|dsn)[A-Z0-9_.\-]*)[\"']?"
    r"\s*(?::=|=|:)\s*[\"'`]?([^\s\"'`;,]{8,})"
)
# Cheap test a line must pass before any plugin runs: a secret-ish keyword or provider
# prefix, a URL with credentials, a PEM header, or a long token run that looks random
# (mixed case with digits, or 32+ characters with digits). Ordinary code lines, whose
# long runs are snake_case identifiers, skip the ~25 plugins entirely.
_TRIGGER = (
    r"(?i)secret|passw|pwd|token|key|auth|cred|private|bearer|dsn|://[^\s/@]+@|BEGIN|"
    r"AKIA|ASIA|sk_live|rk_live|gh[pousr]_|glpat|xox[abposr]-|AIza|SG\.|eyJ|hooks\.slack"
)
_PREFILTER = re.compile(_TRIGGER)
_PREFILTER_BYTES = re.compile(_TRIGGER.encode())
_RUN = re.compile(r"[A-Za-z0-9+/=_\-]{20,}")
_RUN_BYTES = re.compile(rb"[A-Za-z0-9+/=_\-]{20,}")
_DIGITS, _UPPER, _LOWER = (
    frozenset(string.encode())
    for string in ("0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
)


def _random_run(run: bytes) -> bool:
    chars = set(run)
    if not chars & _DIGITS:
        return False
    return bool(chars & _UPPER and chars & _LOWER) or len(run) >= 32


def candidate(raw: bytes) -> bool:
    """True when a line (bytes, as git prints it) is worth running the rules on."""
    if _PREFILTER_BYTES.search(raw):
        return True
    return any(_random_run(run) for run in _RUN_BYTES.findall(raw))


def _candidate_text(text: str) -> bool:
    if _PREFILTER.search(text):
        return True
    return any(_random_run(run.encode()) for run in _RUN.findall(text))


_TOKEN = re.compile(r"[A-Za-z0-9+/=_\-.]{20,}")
_PLACEHOLDER = re.compile(
    r"(?i)^(?:x+|\*+|\.+|-+|_+|changeme|change[_\-]?me|example|sample|placeholder|dummy|test|"
    r"secret|password|passw0rd|your[_\-].*|my[_\-].*|<.*>|\{.*\}|\$.*|%.*%|none|null|true|false|"
    r"undefined|todo|redacted|replace[_\-]?me.*|.*example.*|.*xxxx.*)$"
)
_REFERENCE = re.compile(
    r"(?i)^(?:process\.env|os\.environ|os\.getenv|env\(|getenv|config\.|settings\.|import\.meta|"
    r"self\.|this\.|request\.|secrets\.|vars\.|\$\{\{|\$\(|\{\{)"
)
_WORD_SPLIT = re.compile(r"[_\-.]")
_GIT_SHA = re.compile(r"^[0-9a-f]{40}$")  # commit ids are often quoted in notes
MAX_LINE = 4096  # longer lines (minified bundles) are scanned in overlapping windows


@dataclass(frozen=True, slots=True)
class Match:
    """A secret found on one line. ``value`` stays in memory: never store or log it."""

    rule: str
    value: str

    def __repr__(self) -> str:  # keep the value out of tracebacks and debug output
        return f"Match(rule={self.rule!r}, value=<redacted>)"


def _entropy(value: str) -> float:
    counts: dict[str, int] = {}
    for char in value:
        counts[char] = counts.get(char, 0) + 1
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _plausible(value: str) -> bool:
    """False for placeholders, references and obvious non-secrets."""
    if len(value) < 8 or _PLACEHOLDER.match(value) or _REFERENCE.match(value):
        return False
    if heuristic.is_templated_secret(value) or heuristic.is_sequential_string(value):
        return False
    return not heuristic.is_potential_uuid(value)


@lru_cache(maxsize=4096)
def _keyword_table(filename: str) -> dict:
    return REGEX_BY_FILETYPE.get(determine_file_type(filename), KEYWORD_QUOTED)


def _windows(line: str) -> list[str]:
    if len(line) <= MAX_LINE:
        return [line]
    step = MAX_LINE - 256
    return [line[i : i + MAX_LINE] for i in range(0, len(line), step)]


def detect(line: str, filename: str = "", *, eager: bool = False) -> list[Match]:
    """Secrets on one line of ``filename``. ``eager`` also flags unquoted high-entropy
    tokens, for text typed into a form (where nobody quotes a pasted key)."""
    out: list[Match] = []
    for window in _windows(line):
        if _candidate_text(window):
            _detect_window(window, filename, eager, out)
    return out


def _detect_window(line: str, filename: str, eager: bool, out: list[Match]) -> None:
    seen: set[str] = {m.value for m in out}

    def add(rule: str, value: str) -> None:
        if value and value not in seen and not any(value in s or s in value for s in seen):
            seen.add(value)
            out.append(Match(rule, value))

    for rule, plugin in _PROVIDER_PLUGINS:
        for regex in plugin.denylist:
            for found in regex.finditer(line):
                add(rule, _provider_value(found))
    for rule, pattern in _OWN_RULES:
        for value in pattern.findall(line):
            add(rule, value)
    pem = _PEM_BEGIN.search(line)
    if pem:
        add("private-key", pem.group(0))
    for value in _BASIC_AUTH.analyze_string(line):
        if _plausible(value) or len(value) >= 4 and _DB_SCHEMES.search(line):
            add("database-url" if _DB_SCHEMES.search(line) else "url-password", value)
    if heuristic.is_indirect_reference(line):
        return
    for value in _KEYWORD.analyze_string(line, _keyword_table(filename)):
        if _plausible(value):
            add("secret-assignment", value)
    for _name, value in _ASSIGNMENT.findall(line):
        if _plausible(value) and _assigned_secret(value):
            add("secret-assignment", value)
    for plugin in (_BASE64, _HEX):
        for value in plugin.analyze_string(line):
            if plugin.calculate_shannon_entropy(value) > plugin.entropy_limit and _plausible(value):
                add("high-entropy", value)
    if eager:
        for value in _TOKEN.findall(line):
            if _plausible(value) and _looks_random(value):
                add("high-entropy", value)


def _provider_value(found: re.Match[str]) -> str:
    # detect-secrets yields capture groups, which for some rules is only the prefix
    # ("ghp"); keep a group only when it is the key itself.
    groups = [g for g in found.groups() if g and len(g) >= 8]
    return max(groups, key=len) if groups else found.group(0)


def _assigned_secret(value: str) -> bool:
    """``PASSWORD=<value>``: a value mixing letters with digits or symbols, or a long
    random-looking one; plain words ("PASSWORD: see-the-vault") are not secrets."""
    if "://" in value or value.startswith(("/", "./", "~")):
        return False
    has_alpha = any(c.isalpha() for c in value)
    mixed = has_alpha and any(not c.isalpha() and c not in "-_." for c in value)
    return (mixed and _entropy(value) >= 2.5) or (len(value) >= 16 and _entropy(value) >= 3.5)


def _looks_random(value: str) -> bool:
    """An unquoted token that reads like a key, not a word, path, URL or identifier."""
    if "/" in value and "." in value or value.count(".") > 2 or _GIT_SHA.match(value):
        return False
    segments = [segment for segment in value.split("/") if segment]
    if "/" in value and all(len(s) < 20 and (s.islower() or s.isdigit()) for s in segments):
        return False  # /sprints/454eajh8n5d8/edit/: a path of lower-case ids, not base64
    parts = [part for part in _WORD_SPLIT.split(value) if part]
    if len(parts) >= 2 and all(
        p.isupper() or p.islower() or p.isdigit() or p.istitle() for p in parts
    ):
        return False  # NEXT_PUBLIC_SUPABASE_ANON_KEY, deploy-token-2024: identifiers
    has_digit = any(c.isdigit() for c in value)
    has_alpha = any(c.isalpha() for c in value)
    return has_digit and has_alpha and _entropy(value) >= 3.5 and len(set(value)) >= 10


def pem_body(line: str) -> str | None:
    """The first base64 line of a PEM block, used to fingerprint the key itself."""
    match = _PEM_BODY.match(line)
    return match.group(1) if match else None


def detect_text(text: str) -> list[Match]:
    """Every secret in a block of typed text (forms, admin)."""
    found: list[Match] = []
    for line in text.splitlines() or [text]:
        found.extend(detect(line, "", eager=True))
    return found


# ---------------------------------------------------------------- redaction


def redact(value: str) -> str:
    """At most the first and last two characters; short values show nothing."""
    if len(value) < 12:
        return "…"
    return f"{value[:2]}…{value[-2:]}"


@lru_cache(maxsize=1)
def _fingerprint_key() -> bytes:
    configured = getattr(settings, "SECRETS_FINGERPRINT_KEY", "")
    base = configured or settings.SECRET_KEY
    return hashlib.sha256(b"launchready.secrets.fingerprint\0" + base.encode()).digest()


def fingerprint(rule: str, value: str) -> str:
    """Keyed hash of rule and value: stable across scans, useless for guessing the value
    without the server's key (an unkeyed hash of a short password could be brute-forced)."""
    return hmac.new(_fingerprint_key(), f"{rule}\0{value}".encode(), hashlib.sha256).hexdigest()[
        :40
    ]


def rule_label(rule: str) -> str:
    return RULE_LABELS.get(rule, rule)
