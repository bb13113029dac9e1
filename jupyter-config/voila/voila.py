# Voilà reads this file (`voila.py` in a Jupyter configuration directory) when it starts. Installed by
# reactive_kernel: Voilà's execute requests name the cell they run, so a notebook on the reactive kernel
# re-runs the cells that read a widget when it moves (reactive_kernel/server/voila_cells.py).
try:
    from reactive_kernel.server.voila_cells import config
except ImportError:  # reactive_kernel was removed and this file left behind: Voilà as it is
    pass
else:
    c.merge(config())  # noqa: F821  (`c`: the configuration traitlets hands a config file)
