"""Where each corpus notebook comes from (repository, commit, path, licence) and how it was edited.

Edits are few and each says why: cells that need the network or a package the test environment does
not have, cells that fail on purpose to teach an error (a headless run stops at the first failure),
APIs that current pandas, numpy or matplotlib removed, and unseeded random draws whose numbers the
cell prints. collect.py applies them; README.md lists them per notebook.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Drop:
    """Remove the one code cell whose source contains `match`."""

    match: str  # a substring of exactly one code cell (or of several: see `nth`)
    why: str  # shown in README.md
    nth: int = 0  # when several cells contain `match` (the same code run twice): which one, from 1

    def describe(self) -> str:
        which = f" (the {self.nth}{'nd' if self.nth == 2 else 'th'} one)" if self.nth else ""
        return f"dropped the cell with `{_short(self.match)}`{which} ({self.why})"


@dataclass(frozen=True)
class Replace:
    """Replace `match` by `new` in the one code cell that contains it."""

    match: str  # a substring of exactly one code cell
    new: str  # its replacement
    why: str  # shown in README.md

    def describe(self) -> str:
        return f"`{_short(self.match)}` -> `{_short(self.new)}` ({self.why})"


@dataclass(frozen=True)
class Notebook:
    path: str  # path in the source repository
    target: str  # file name in the source's corpus folder
    edits: tuple[Drop | Replace, ...] = ()


@dataclass(frozen=True)
class Data:
    """A data file a notebook reads, copied beside it."""

    path: str  # path in the source repository
    target: str  # path under the source's corpus folder
    first_lines: int | None = None  # keep only the first lines of a large text file

    def describe(self) -> str:
        kept = f" (its first {self.first_lines} lines)" if self.first_lines else ""
        return f"`{self.path}`{kept}"


@dataclass(frozen=True)
class Source:
    repo: str  # owner/name on GitHub
    commit: str  # the commit every file was read at
    licence: str  # SPDX-like name
    licence_file: str  # path in the repository, copied to <folder>/LICENSE
    folder: str  # folder under tests/corpus/
    notebooks: tuple[Notebook, ...]
    data: tuple[Data, ...] = ()  # files the notebooks read


def _short(text: str) -> str:
    """One line of code for README.md: the match's code lines (not its comments), joined."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    line = "; ".join(lines) if lines else repr(text)
    return (line[:57] + "...") if len(line) > 60 else line


ON_PURPOSE = "raises on purpose, to show the error"
PY2 = "Python 2 syntax"
SEEDED = "seeded: the cell prints random numbers"
EXERCISE = "an exercise left for the reader"
# Outside what the reactive kernel promises (README, "Where the guarantee stops"): re-running these
# cells cannot show what a top-to-bottom run shows. Each is a finding, listed in tests/corpus/README.md.
PROCESS_STATE = "outside the guarantee: process state no kernel rolls back"
UNSEEN_CHANGE = "outside the guarantee: a change in place the analysis cannot see"
FILE_STATE = "outside the guarantee: reads a file a later cell rewrites"

SOURCES: tuple[Source, ...] = (
    Source(
        repo="jerry-git/learn-python3",
        commit="85e30d370ec20618ac27b802c4d35876d7031b67",
        licence="MIT",
        licence_file="LICENSE",
        folder="learn-python3",
        notebooks=(
            Notebook("notebooks/beginner/notebooks/04_lists.ipynb", "04_lists.ipynb"),
            Notebook("notebooks/beginner/notebooks/05_dictionaries.ipynb", "05_dictionaries.ipynb"),
            Notebook("notebooks/beginner/notebooks/06_for_loops.ipynb", "06_for_loops.ipynb"),
            Notebook("notebooks/beginner/notebooks/07_functions.ipynb", "07_functions.ipynb"),
            Notebook(
                "notebooks/beginner/notebooks/10_file_io.ipynb",
                "10_file_io.ipynb",
                (
                    Replace(
                        'current_dir.parent / "data"',
                        'current_dir / "data"',
                        "its data folder ships beside it",
                    ),
                ),
            ),
            Notebook("notebooks/beginner/notebooks/11_classes.ipynb", "11_classes.ipynb"),
            Notebook("notebooks/intermediate/notebooks/01_idiomatic_loops.ipynb", "01_idiomatic_loops.ipynb"),
            Notebook("notebooks/intermediate/notebooks/01_std_lib2.ipynb", "01_std_lib2.ipynb"),
            Notebook("notebooks/intermediate/notebooks/02_idiomatic_dicts.ipynb", "02_idiomatic_dicts.ipynb"),
            Notebook("notebooks/intermediate/notebooks/03_idiomatic_misc1.ipynb", "03_idiomatic_misc1.ipynb"),
            Notebook("notebooks/intermediate/notebooks/04_idiomatic_misc2.ipynb", "04_idiomatic_misc2.ipynb"),
        ),
        data=(Data("notebooks/beginner/data/simple_file.txt", "data/simple_file.txt"),),
    ),
    Source(
        repo="ehmatthes/intro_programming",
        commit="ea6cf69972cab8b80b6cc7689f42b42a6d86a587",
        licence="MIT",
        licence_file="LICENSE.md",
        folder="intro_programming",
        notebooks=(
            Notebook("notebooks/if_statements.ipynb", "if_statements.ipynb"),
            Notebook(
                "notebooks/introducing_functions.ipynb",
                "introducing_functions.ipynb",
                (Drop("def function_name(argument_1, argument_2):", "a template, not code"),),
            ),
            Notebook(
                "notebooks/lists_tuples.ipynb",
                "lists_tuples.ipynb",
                (
                    Drop("dog = dogs[-4]", ON_PURPOSE),
                    Drop("print('I like ' + dogs + 's.')", ON_PURPOSE),
                    Drop("print(dogs.index('poodle'))", ON_PURPOSE),
                    Drop('print("This will cause an error: " + user_count)', ON_PURPOSE),
                    Drop("colors.append('purple')", ON_PURPOSE),
                    Drop('print("My favorite number is " + number + ".")', ON_PURPOSE),
                ),
            ),
            Notebook(
                "notebooks/more_functions.ipynb",
                "more_functions.ipynb",
                (
                    Drop("###highlight=[10]\ndef thank_you(name):", ON_PURPOSE),
                    Drop("describe_person(71, 'brian', 'kernighan')", ON_PURPOSE),
                    Drop("###highlight=[8]\ndef adder(num_1, num_2):", ON_PURPOSE),
                ),
            ),
            Notebook(
                "notebooks/var_string_num.ipynb",
                "var_string_num.ipynb",
                (
                    Drop("print(mesage)", ON_PURPOSE),
                    Drop("print 4/2", PY2),
                    Drop("import this", PROCESS_STATE + " (a module prints only when first imported)"),
                    Drop("print 3/2", PY2),
                ),
            ),
        ),
    ),
    Source(
        repo="jrjohansson/scientific-python-lectures",
        commit="a2a76136ac06ff5fa91343ae095f1223c914d944",
        licence="CC-BY-3.0",
        licence_file="README.md",
        folder="scientific-python-lectures",
        notebooks=(
            Notebook(
                "Lecture-1-Introduction-to-Python-Programming.ipynb",
                "Lecture-1-Introduction-to-Python-Programming.ipynb",
                (
                    Drop("print(y)", ON_PURPOSE),
                    Drop("x = float(z)", ON_PURPOSE),
                    Drop("point[0] = 20", ON_PURPOSE),
                    Drop("# Bad indentation!", ON_PURPOSE),
                    Drop("reload(mymodule)", PY2),
                    Drop('raise Exception("description of the error")', ON_PURPOSE),
                    Drop("p1.translate(0.25, 1.5)", UNSEEN_CHANGE + " (p1.translate moves p1)"),
                    Drop("%load_ext version_information", "needs the version_information package"),
                ),
            ),
            Notebook(
                "Lecture-2-Numpy.ipynb",
                "Lecture-2-Numpy.ipynb",
                (
                    Drop('M[0,0] = "hello"', ON_PURPOSE),
                    Replace("random.rand(5,5)", "random.seed(0)\nrandom.rand(5,5)", SEEDED),
                    Replace("random.randn(5,5)", "random.seed(0)\nrandom.randn(5,5)", SEEDED),
                    Replace("M = random.rand(3,3)", "random.seed(0)\nM = random.rand(3,3)", SEEDED),
                    Replace("m = random.rand(3,3)", "random.seed(0)\nm = random.rand(3,3)", SEEDED),
                    Drop("M * v", ON_PURPOSE, nth=2),
                    Drop("!cat random-matrix.csv", FILE_STATE, nth=1),
                    Drop("B[0,0:5] = 5", UNSEEN_CHANGE + " (it changes A through a view of it)"),
                    Drop("Theta(array([-3,-2,-1,0,1,2,3]))", ON_PURPOSE, nth=1),
                    Drop("%reload_ext version_information", "needs the version_information package"),
                ),
            ),
        ),
        data=(
            Data("stockholm_td_adj.dat", "stockholm_td_adj.dat", first_lines=3653),  # 1800-1809, not 2.8 MB
            Data("scripts/hello-world.py", "scripts/hello-world.py"),
            Data("scripts/hello-world-in-swedish.py", "scripts/hello-world-in-swedish.py"),
        ),
    ),
    Source(
        repo="guipsamora/pandas_exercises",
        commit="daf0fd2c7c34724aba5b7ec6006aaf9873a2913b",
        licence="BSD-3-Clause",
        licence_file="LICENSE",
        folder="pandas_exercises",
        notebooks=(
            Notebook(
                "02_Filtering_&_Sorting/Fictional_Army/Exercise_with_solutions.ipynb", "Fictional_Army.ipynb"
            ),
            Notebook(
                "03_Grouping/Regiment/Exercises_solutions.ipynb",
                "Regiment.ipynb",
                (
                    Replace(
                        "groupby('regiment').mean()",
                        "groupby('regiment').mean(numeric_only=True)",
                        "pandas 2 no longer skips text columns in mean()",
                    ),
                    Replace(
                        "groupby(['regiment', 'company']).mean()",
                        "groupby(['regiment', 'company']).mean(numeric_only=True)",
                        "pandas 2 no longer skips text columns in mean()",
                    ),
                ),
            ),
            Notebook("05_Merge/Fictitous_Names/Exercises_with_solutions.ipynb", "Fictitous_Names.ipynb"),
            Notebook(
                "08_Creating_Series_and_DataFrames/Pokemon/Exercises-with-solutions-and-code.ipynb",
                "Pokemon.ipynb",
            ),
        ),
    ),
    Source(
        repo="ajcr/100-pandas-puzzles",
        commit="457b15f1efc127c6df5171bae34332838a9ffcb0",
        licence="MIT",
        licence_file="LICENSE",
        folder="100-pandas-puzzles",
        notebooks=(
            Notebook(
                "100-pandas-puzzles-with-solutions.ipynb",
                "100-pandas-puzzles-with-solutions.ipynb",
                (
                    Replace(
                        "np.random.random(size=(5, 3))",
                        "np.random.RandomState(0).random(size=(5, 3))",
                        SEEDED,
                    ),
                    Replace(
                        "np.random.random(size=(5, 10))",
                        "np.random.RandomState(0).random(size=(5, 10))",
                        SEEDED,
                    ),
                    Replace(
                        "np.random.randint(0, 2, size=(10, 3))",
                        "np.random.RandomState(0).randint(0, 2, size=(10, 3))",
                        SEEDED,
                    ),
                    Replace(
                        ".nlargest(3).sum(level=0)",
                        ".nlargest(3).groupby(level=0).sum()",
                        "pandas 2 removed sum(level=)",
                    ),
                    Drop("def replace(group):", "pandas 3 refuses floats in an int column"),
                    Replace("np.random.rand(len(dti))", "np.random.RandomState(0).rand(len(dti))", SEEDED),
                    Replace("s.resample('M')", "s.resample('ME')", "pandas 3 renamed the month-end alias"),
                    Replace("freq='4M'", "freq='4ME'", "pandas 3 renamed the month-end alias"),
                    Replace("np.random.rand(30)", "np.random.RandomState(0).rand(30)", SEEDED),
                    Drop("s.index.is_lexsorted()\n\n# or more verbosely", "pandas 2 removed is_lexsorted"),
                    Replace(
                        "if not new_s.index.is_lexsorted():",
                        "if not new_s.index.is_monotonic_increasing:",
                        "pandas 2 removed is_lexsorted",
                    ),
                    Replace("s.sum(level=0)", "s.groupby(level=0).sum()", "pandas 2 removed sum(level=)"),
                    Replace(
                        "pd.core.reshape.util.cartesian_product([np.arange(X), np.arange(Y)])",
                        "[a.ravel() for a in np.meshgrid(np.arange(X), np.arange(Y), indexing='ij')]",
                        "pandas 3 removed its internal cartesian_product",
                    ),
                    Replace(
                        "np.random.binomial(1, 0.4, X*Y)",
                        "np.random.RandomState(0).binomial(1, 0.4, X*Y)",
                        SEEDED,
                    ),
                    Drop("from scipy.signal import convolve2d", "needs scipy; its merge fails on pandas 2"),
                    Replace("df = day_stock_data()", "np.random.seed(0)\ndf = day_stock_data()", SEEDED),
                    Replace('df.resample("H")', 'df.resample("h")', "pandas 3 renamed the hour alias"),
                ),
            ),
        ),
    ),
    Source(
        repo="matplotlib/AnatomyOfMatplotlib",
        commit="e51eb6363371f1b271b235a63f859dbd984ff756",
        licence="CC-BY-3.0",
        licence_file="COPYRIGHT.txt",
        folder="AnatomyOfMatplotlib",
        notebooks=(
            Notebook(
                "AnatomyOfMatplotlib-Part0-Intro2NumPy.ipynb", "AnatomyOfMatplotlib-Part0-Intro2NumPy.ipynb"
            ),
            Notebook(
                "AnatomyOfMatplotlib-Part1-Figures_Subplots_and_layouts.ipynb",
                "AnatomyOfMatplotlib-Part1-Figures_Subplots_and_layouts.ipynb",
                (
                    Drop("%load exercises/1.1", EXERCISE),
                    Drop("matplotlib.use('nbagg')", PROCESS_STATE + " (the backend, for cells above too)"),
                ),
            ),
            Notebook(
                "AnatomyOfMatplotlib-Part3-HowToSpeakMPL.ipynb",
                "AnatomyOfMatplotlib-Part3-HowToSpeakMPL.ipynb",
                (
                    Drop("%load exercises/3.1", EXERCISE),
                    Drop("%load exercises/3.2", EXERCISE),
                    Drop("plt.plot(t, t, , t, t**2, , t, t**3, )", EXERCISE),
                    Drop("%load exercises/3.3", EXERCISE),
                ),
            ),
            Notebook(
                "AnatomyOfMatplotlib-Part4-Limits_Legends_and_Layouts.ipynb",
                "AnatomyOfMatplotlib-Part4-Limits_Legends_and_Layouts.ipynb",
                (Drop("%load exercises/4.1", EXERCISE), Drop("%load exercises/4.2", EXERCISE)),
            ),
        ),
    ),
    Source(
        repo="ipython-books/cookbook-2nd-code",
        commit="56bb11462b8d24d9a984fd5bd4bc239c0fa0475e",
        licence="MIT",
        licence_file="LICENSE",
        folder="cookbook-2nd-code",
        notebooks=(
            Notebook(
                "chapter01_basic/04_magic.ipynb",
                "chapter01_04_magic.ipynb",
                (Drop("%load_ext csvmagic", PROCESS_STATE + " (loading it again says so)"),),
            ),
            Notebook("chapter03_notebook/03_widgets.ipynb", "chapter03_03_widgets.ipynb"),
            Notebook("chapter13_stochastic/01_markov.ipynb", "chapter13_01_markov.ipynb"),
        ),
    ),
    Source(
        repo="donnemartin/data-science-ipython-notebooks",
        commit="5b3c00d462c6e9200315afe46d0093948621eb95",
        licence="Apache-2.0",
        licence_file="LICENSE",
        folder="data-science-ipython-notebooks",
        notebooks=(
            Notebook(
                "python-data/structs.ipynb",
                "structs.ipynb",
                (Drop("    print key, value", PY2),),
            ),
            Notebook(
                "python-data/structs_utils.ipynb",
                "structs_utils.ipynb",
                (
                    Replace("for i in xrange(100000):", "for i in range(100000):", "Python 2's xrange"),
                    Drop("sorted(set(seq))", "Python 3 cannot sort ints with tuples"),
                    Drop("bisect.insort(seq, 8)", UNSEEN_CHANGE + " (bisect.insort inserts into seq)"),
                ),
            ),
        ),
    ),
)
