"""A reactive Python kernel for Jupyter: cells re-run when what they read changes."""

__version__ = "0.1.0"

# The kernelspec the package installs (share/jupyter/kernels/reactive-python/kernel.json): what `.py`
# notebooks open on.
KERNELSPEC = {"display_name": "Python 3 (reactive)", "language": "python", "name": "reactive-python"}


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    # For `jupyter labextension develop . --overwrite` in a source checkout: links the extension that
    # `jlpm build` (in labextension/) writes here. Installed wheels carry it as shared-data instead.
    return [{"src": "labextension", "dest": "reactive-kernel-labextension"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    # Enabled by etc/jupyter/jupyter_server_config.d/reactive_kernel.json, which the wheel installs.
    return [{"module": "reactive_kernel.server.extension"}]
