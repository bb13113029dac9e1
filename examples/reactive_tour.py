# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (reactive)
#     language: python
#     name: reactive-python
# ---

# %% [markdown]
# # A reactive tour
#
# This notebook runs on **Python 3 (reactive)**: the kernel reads every cell and knows which globals
# each one defines and reads. Run a cell, and every cell that reads what it defines runs next. Each
# code cell's stripe and badge show its status; the **Cell graph** in the right side bar draws the
# dependencies.
#
# This file is a notebook in the percent format (jupytext's): plain Python that diffs cleanly in
# git. Double-click it in JupyterLab to open it as a notebook, or run it as a script, in dependency
# order:
#
#     reactive-kernel run examples/reactive_tour.py

# %% [markdown]
# The report comes first in this file, although it reads every cell below it: cells run in
# dependency order, not in file order.

# %%
print(f"{n} {label}: first {squares[:3]}, mean {mean:.1f}")

# %%
n = 10

# %%
squares = [i * i for i in range(n)]

# %%
total = sum(squares)
print(f"sum of {n} squares: {total}")

# %%
mean = total / n

# %%
label = "squares"

# %% [markdown]
# ## A slider drives a plot
#
# The plot below reads `freq.value`, so when you drag the slider, the plot cell runs again with the new
# value, and only that cell: not the one that made the slider, not the one that made `t`. There is no
# `observe` and no callback: reading the widget is enough.
# (`pip install ".[examples]"` brings ipywidgets and matplotlib.)

# %%
import ipywidgets as widgets

freq = widgets.FloatSlider(value=1.0, min=0.5, max=5.0, step=0.5, description="freq")
freq

# %%
import matplotlib.pyplot as plt
import numpy as np

t = np.linspace(0, 2 * np.pi, 400)

# %%
plt.figure(figsize=(6, 2.5))
plt.plot(t, np.sin(freq.value * t))
plt.title(f"sin({freq.value:g} t)")
plt.show()

# %% [markdown]
# ## Things to try
#
# - **A chain.** Change `n = 10` to `n = 5` and run that cell: `squares`, `total`, `mean` and the
#   report re-run by themselves, in that order.
# - **Run a cell before its inputs.** Restart the kernel and run only the report cell: the cells it
#   needs run first.
# - **The slider.** Drag it, and watch the execution counts: only the plot cell runs again. (If it shows
#   as text, `FloatSlider(value=1.0, ...)`, ipywidgets was installed after this page opened: reload the
#   page and run the slider's cell again.)
# - **Lazy mode.** Click **Lazy** in the toolbar (or run `%reactive lazy`), change `n` again and run
#   it: the cells below turn stale (purple) until you press **Run stale**. `%reactive autorun`
#   switches back.
# - **An error.** Set `n = 0`: the `mean` cell fails with `ZeroDivisionError`, and the report, which
#   reads `mean`, is blocked (pink, its old output dimmed) instead of running. Set `n` back, and
#   both run again.
# - **A deleted cell.** Delete the cell `label = "squares"`: its global is deleted too, and the
#   report re-runs and fails with a `NameError` that names the deleted cell (in lazy mode it turns
#   stale instead). Undo the delete (`z` in command mode) and run it to fix it.
# - **Two definitions.** Add a cell `n = 3`: both cells defining `n` report a
#   `MultipleDefinitionError` that links to the other. Delete one to fix it.
# - `%reactive` in any cell prints its defs, refs, parents and children.
