"""Fixtures for the external checkers: the built, served site and Chromium for axe-core."""

from site_server import browser, site

__all__ = ["browser", "site"]
