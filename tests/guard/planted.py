"""Seven kinds of secret value (eight strings: an AWS key has an id and a secret), in the
shapes people paste them. Built by concatenation so this file is not itself a finding."""

from __future__ import annotations

PLANTED: dict[str, str] = {
    "aws-key-id": "AKIA" + "Z7QH3M2XKD5WPL4N",
    "aws-secret": "aws_secret_access_key=" + "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8Lm3Tn2Q",
    "stripe": "sk_live_" + "51Hx9KpQ2LmZ8vT4wRb7NcY3dF6gJ",
    "github": "ghp_" + "R8mK2pX7vQ4wL9nT3cZ6bY1dF5gH0jS2aE8u",
    "openai": "sk-proj-"
    + "Xy7Qm2Lp9Rt4Vb8Nc3Kd6Wf1Gh5Js0Ta"
    + "T3BlbkFJ"
    + "Zx9Cv2Bn7Mq4Lw8Er1Ty5",
    "pem": (
        "-----BEGIN RSA PRIVATE KEY-----\n"
        "MIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM2hQ8jYk6sD0WXhF4eN1uZbLkR9pCq\n"
        "-----END RSA PRIVATE KEY-----"
    ),
    "slack-webhook": "https://hooks.slack.com/services/"
    + "T0A1B2C3D/B4E5F6G7H/Xk9Lm2Np4Qr6St8Uv0Wx2Yz4",
    "password": "password=" + "Tr0ub4dor&3xK9mQ2v",
}

# The part of each value that must never appear anywhere: the secret itself, not the
# label around it ("password=" may well appear in a help text).
MARKERS: dict[str, str] = {
    "aws-key-id": "Z7QH3M2XKD5WPL4N",
    "aws-secret": "wJalrXUtnFEMI/K7MDENG",
    "stripe": "51Hx9KpQ2LmZ8vT4wRb7",
    "github": "R8mK2pX7vQ4wL9nT3cZ6",
    "openai": "Xy7Qm2Lp9Rt4Vb8Nc3Kd",
    "pem": "3Tz2mr7SZiAMfQyuvBjM",
    "slack-webhook": "Xk9Lm2Np4Qr6St8Uv0Wx",
    "password": "Tr0ub4dor&3xK9mQ2v",
}


def leaked(text: str | bytes) -> list[str]:
    """The kinds of planted value found in ``text`` (HTML-escaped forms included)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    import html

    variants = (text, html.unescape(text))
    return [kind for kind, marker in MARKERS.items() if any(marker in v for v in variants)]
