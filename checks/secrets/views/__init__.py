"""Screens of the secrets app, one module per screen family."""
