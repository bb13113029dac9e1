import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    # # A reactive tour
    #
    # This notebook runs on **Python 3 (reactive)**: the kernel reads every cell and knows which globals
    # each one defines and reads. Run a cell, and every cell that reads what it defines runs next. Each
    # code cell's stripe and badge show its status; the **Cell graph** in the right side bar draws the
    # dependencies.
    #
    # This file is a notebook in marimo's format: `marimo edit` opens it, and so does JupyterLab
    # (double-click), on the reactive kernel. Running it needs no marimo: reactive-kernel run
    # examples/reactive_tour_marimo.py
    return


@app.cell
def _():
    n = 10
    return (n,)


@app.cell
def _(n):
    squares = [i * i for i in range(n)]
    return (squares,)


@app.cell
def _(n, squares):
    total = sum(squares)
    print(f"sum of {n} squares: {total}")
    return (total,)


@app.cell
def _(n, total):
    mean = total / n
    return (mean,)


@app.cell
def _():
    label = "squares"
    return (label,)


@app.cell
def _():
    # ## A slider drives a plot
    #
    # The plot below reads `freq.value`, so when you drag the slider, the plot cell runs again with the new
    # value, and only that cell: not the one that made the slider, not the one that made `t`. There is no
    # `observe` and no callback: reading the widget is enough.
    # (`pip install ".[examples]"` brings ipywidgets and matplotlib.) The slider is an ipywidget: it drives
    # the plot on the reactive kernel, in JupyterLab; `marimo edit` does not show ipywidgets (marimo #5099).
    return


@app.cell
def _():
    import ipywidgets as widgets

    freq = widgets.FloatSlider(value=1.0, min=0.5, max=5.0, step=0.5, description="freq")
    freq
    return (freq,)


@app.cell
def _():
    import matplotlib.pyplot as plt
    import numpy as np

    t = np.linspace(0, 2 * np.pi, 400)
    return np, plt, t


@app.cell
def _(freq, np, plt, t):
    plt.figure(figsize=(6, 2.5))
    plt.plot(t, np.sin(freq.value * t))
    plt.title(f"sin({freq.value:g} t)")
    plt.show()
    return


@app.cell
def _(label, mean, n, squares):
    print(f"{n} {label}: first {squares[:3]}, mean {mean:.1f}")
    return


@app.cell
def _():
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
    return


if __name__ == "__main__":
    app.run()
