# Single-user server settings for a JupyterHub with reactive_kernel installed (docs/jupyterhub.md).
# Put this file in a Jupyter config directory of the single-user environment, for example
# <sys.prefix>/etc/jupyter/jupyter_server_config.py (deploy/Dockerfile does). It must be a .py or .json
# config file: the server reads jupyter_server_config.d/*.json after it has made its kernel manager.
c = get_config()  # noqa: F821  (defined by Jupyter when it loads this file)

# The server's default kernel: first in the launcher, preselected in JupyterLab's kernel chooser, and
# what the REST API starts when a request names no kernel.
c.MappingKernelManager.default_kernel_name = "reactive-python"

# Every .py file opens as a notebook, also scripts without a `# %%` marker (such a script is one cell,
# saved back as it was). Leave this out to open only .py notebooks (a percent header, a `# %%` marker
# or a marimo app) as notebooks, and other .py files in the editor.
c.ReactiveContents.all_py_notebooks = True
