"""Content fingerprints (cached cells' keys) and the cell cache's store: table-driven, in process."""

from __future__ import annotations

import threading

import pytest

from reactive_kernel.core.fingerprint import fingerprint
from reactive_kernel.features.cell_cache import CellCache, Entry, UnreadableInput, cache_key

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")


class Local:
    """A class defined where the notebook would define it has no readable content."""


Local.__module__ = "__main__"


def make_double():
    """A new function object each call, with the same name and code (a cell run twice)."""

    def double(v):
        return v * 2

    return double


def make_triple():
    def double(v):
        return v * 3

    return double


SAME = [
    (1, 1),
    ("text", "te" + "xt"),
    ([1, [2, "x"]], [1, [2, "x"]]),
    ({"a": (1, 2.5)}, {"a": (1, 2.5)}),
    ({3, 1, 2}, {2, 3, 1}),
    (np.arange(6).reshape(2, 3), np.arange(6).reshape(2, 3)),
    (np.arange(10)[::2], np.array([0, 2, 4, 6, 8])),  # a view and a copy: same content
    (np.float64(1.5), np.float64(1.5)),
    (pd.DataFrame({"v": [1, 2]}), pd.DataFrame({"v": [1, 2]})),
    (pd.Series([1.0, 2.0], name="s"), pd.Series([1.0, 2.0], name="s")),
    (np, np),
    (len, len),
    (make_double(), make_double()),  # same name and code, two objects
    (int, int),
]

DIFFERENT = [
    (1, 1.0),
    (1, True),
    ([1, 2], (1, 2)),
    ("a", b"a"),
    ({"a": 1}, {"a": 2}),
    (np.arange(3), np.arange(3).astype("int32")),
    (np.arange(6).reshape(2, 3), np.arange(6).reshape(3, 2)),
    (pd.DataFrame({"v": [1, 2]}), pd.DataFrame({"w": [1, 2]})),
    (pd.DataFrame({"v": [1, 2]}), pd.DataFrame({"v": [1, 2]}, index=[5, 6])),
    (pd.Series([1, 2], name="a"), pd.Series([1, 2], name="b")),
    (make_double(), make_triple()),  # same name, other code
    (np, pd),
]

UNREADABLE = [
    object(),
    Local(),
    Local,
    np.array([object()]),
    pd.DataFrame({"v": [[1], [2]]}),
    [1, object()],
    {"k": threading.Lock()},
]


@pytest.mark.parametrize(("left", "right"), SAME, ids=[type(a).__name__ for a, _ in SAME])
def test_equal_content_gives_equal_fingerprints(left, right):
    assert fingerprint(left) is not None
    assert fingerprint(left) == fingerprint(right)


@pytest.mark.parametrize(("left", "right"), DIFFERENT, ids=[type(a).__name__ for a, _ in DIFFERENT])
def test_different_content_gives_different_fingerprints(left, right):
    assert fingerprint(left) != fingerprint(right)


@pytest.mark.parametrize("value", UNREADABLE, ids=[type(v).__name__ for v in UNREADABLE])
def test_unreadable_values_have_no_fingerprint(value):
    assert fingerprint(value) is None


def test_deep_nesting_is_unreadable_not_a_recursion_error():
    nested: list = []
    for _ in range(50):
        nested = [nested]
    assert fingerprint(nested) is None


@pytest.mark.parametrize(
    ("source", "refs", "namespace", "same_as_base"),
    [
        ("y = x", ["x"], {"x": 1}, True),
        ("y = x", ["x"], {"x": 1, "unrelated": 2}, True),
        ("y = x", ["x"], {"x": 2}, False),
        ("y = x ", ["x"], {"x": 1}, False),
        ("y = x", ["x"], {}, False),  # x missing
    ],
)
def test_a_cache_key_covers_source_and_the_refs_values(source, refs, namespace, same_as_base):
    base = cache_key("y = x", ["x"], {"x": 1})
    assert (cache_key(source, refs, namespace) == base) is same_as_base


def test_a_cache_key_names_the_input_it_cannot_read():
    with pytest.raises(UnreadableInput, match="'box' \\(a Local\\) cannot be fingerprinted"):
        cache_key("y = box", ["box"], {"box": Local()})


def test_the_disk_store_round_trips_modules_and_survives_a_new_cache(tmp_path):
    entry = Entry({"np": np, "a": np.arange(3)}, [("stream", {"name": "stdout", "text": "hi\n"})])
    assert CellCache(tmp_path).put("cell", "k" * 64, entry, disk=True) is None
    loaded = CellCache(tmp_path).get("cell", "k" * 64, disk=True)
    assert loaded is not None and loaded.defs["np"] is np and list(loaded.defs["a"]) == [0, 1, 2]
    assert loaded.outputs == entry.outputs
    assert CellCache(tmp_path).get("cell", "k" * 64, disk=False) is None  # memory only: not there


def test_what_cannot_be_pickled_stays_in_memory_and_says_so(tmp_path):
    cache = CellCache(tmp_path)
    note = cache.put("cell", "f" * 64, Entry({"lock": threading.Lock()}, []), disk=True)
    assert note is not None and note.startswith("kept in memory only: its results cannot be pickled")
    assert cache.get("cell", "f" * 64, disk=True) is not None
    assert CellCache(tmp_path).get("cell", "f" * 64, disk=True) is None


def test_memory_keeps_each_cells_latest_run_only(tmp_path):
    cache = CellCache(tmp_path)
    cache.put("cell", "1" * 64, Entry({"v": 1}, []), disk=False)
    cache.put("cell", "2" * 64, Entry({"v": 2}, []), disk=False)
    assert cache.get("cell", "1" * 64, disk=False) is None
    assert cache.get("cell", "2" * 64, disk=False).defs == {"v": 2}
