from __future__ import annotations

import pytest

from tests.browser.sites import ALLOWED_IP, PRIVATE_IP, Site


@pytest.fixture(scope="module")
def allowed_site():
    site = Site(ALLOWED_IP)
    private = Site(PRIVATE_IP)
    site.private_host = private.host
    site.private = private
    yield site
    site.stop()
    private.stop()


@pytest.fixture
def guard_on(settings, tmp_path, allowed_site):
    """The guard as in production, except for the one test site's address."""
    settings.LAUNCHREADY_ALLOW_PRIVATE_TARGETS = False
    settings.LAUNCHREADY_ALLOWED_PRIVATE_ADDRESSES = [ALLOWED_IP]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://launchready.test"
    allowed_site.mode = "ok"
    allowed_site.leads.clear()
    allowed_site.private.hits.clear()
    return settings
