"""Fixtures for the browser tests: the built, served site and a Chromium launched once per session."""

from site_server import browser, site

__all__ = ["browser", "site"]
