"""What a browser test module needs, said once: Playwright's `expect`, and a mark that skips the module
until JupyterLab lists the extensions it drives as installed and enabled.

    from tests.browser.needs import expect, needs_extension

    pytestmark = needs_extension()

Importing this module skips the module that imports it, with the reason, when the playwright package is
not installed.
"""

from __future__ import annotations

import pytest

from tests.browser.lab import labextension_enabled

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
expect = sync_api.expect
PlaywrightTimeout = sync_api.TimeoutError

REACTIVE = "reactive-kernel-labextension"


def needs_extension(*names: str) -> pytest.MarkDecorator:
    """Skip unless every named JupyterLab extension (ours when none is named) is installed and enabled."""
    missing = [name for name in names or (REACTIVE,) if not labextension_enabled(name)]
    reason = f"not installed and enabled in JupyterLab: {', '.join(missing)}"
    return pytest.mark.skipif(bool(missing), reason=reason)
