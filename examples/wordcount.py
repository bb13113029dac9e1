# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (reactive)
#     language: python
#     name: reactive-python
# ---

# %% [markdown]
# # Word count: a notebook that is also a command-line program
#
# Run it as a script, with arguments after `--`:
#
#     reactive-kernel run examples/wordcount.py -- README.md --top 5
#     reactive-kernel run examples/wordcount.py -- --help
#
# In JupyterLab (where `sys.argv` is the kernel's own) the cells run on a built-in sample text with the
# defaults: change `top = args.top` to `top = 10` and run that cell, and the report re-runs by itself.

# %%
import argparse
import sys

parser = argparse.ArgumentParser(prog="wordcount", description="Print the most common words in text files.")
parser.add_argument("files", nargs="*", help="text files to read (default: a built-in sample)")
parser.add_argument("--top", type=int, default=5, help="how many words to print (default: 5)")
# In JupyterLab, sys.argv is the kernel's own command line (`... -f kernel.json`): use the defaults.
args = parser.parse_args([] if sys.argv[1:2] == ["-f"] else sys.argv[1:])
top = args.top

# %%
from pathlib import Path

SAMPLE = "the quick brown fox jumps over the lazy dog; the dog sleeps, the fox runs"
texts = [Path(name).read_text(encoding="utf-8") for name in args.files] or [SAMPLE]

# %%
import re
from collections import Counter

counts = Counter(word.lower() for text in texts for word in re.findall(r"[A-Za-z']+", text))

# %%
for word, count in counts.most_common(top):
    print(f"{count:6}  {word}")
