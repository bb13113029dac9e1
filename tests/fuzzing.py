"""How many examples a Hypothesis test tries: its own thorough count, or a quarter of it in the fast tier.

The full suite (`python -m pytest`, what CI runs) loads Hypothesis's default profile, so every test tries
the count it names. `python -m pytest -m unit`, the tier a developer runs while editing, loads the
`quick` profile unless a profile is named (`--hypothesis-profile=default` gives the thorough counts
there too): a quarter of the examples, so the tier answers in well under a minute. tests/conftest.py
chooses the profile; a test names its thorough count as `max_examples=examples(N)`.
"""

from __future__ import annotations

from hypothesis import settings

DEFAULT_EXAMPLES = settings.get_profile("default").max_examples


def quick() -> None:
    """Load the `quick` profile: a quarter of the examples (before the test modules are imported)."""
    settings.register_profile("quick", max_examples=DEFAULT_EXAMPLES // 4)
    settings.load_profile("quick")


def examples(thorough: int) -> int:
    """The examples to try for a test whose thorough count is `thorough`, under the loaded profile."""
    return max(10, thorough * settings.default.max_examples // DEFAULT_EXAMPLES)
