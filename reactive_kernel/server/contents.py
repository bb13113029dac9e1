"""Serve `.py` notebooks (percent or marimo) as notebooks through whatever contents manager the server has.

`reactive_contents_manager(base)` subclasses the server's manager class (`AsyncLargeFileManager` by
default): a `.py` file that is a notebook is reported as `type: notebook`, read through
`reactive_kernel.formats` and saved back as text in the format it was read in (new files: percent).
Everything else, including `type=file` requests for the same `.py` (the editor), is the base manager's.

Saves never lose data:
- a notebook sent to be saved is checked first (`notebook_check`); one we cannot write is a 400 naming
  the field, and nothing is written;
- a paired `.ipynb` is written only where nothing is, or over the file's own pair (`pairing.refusal`);
  otherwise the save is a 409 naming it, and neither file is written;
- every file the manager writes replaces the old one all at once (`atomic_file`: a temporary file
  beside it, fsync, `os.replace`), in a worker thread, so concurrent saves leave one complete version;
  saves of one `.py` notebook and its pair are serialised, so the pair matches its `.py`;
- the base manager's save still runs: save hooks, checkpoints, `last_modified`/`hash` as a later read.

Listings never block: a `.py` is stat'ed before it is opened (FIFOs never are), sniffed off the event
loop, and its verdict cached by (path, mtime, size, inode) (`sniff`).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import contextvars
import os
import posixpath
import weakref
from collections.abc import Iterator
from functools import partial
from typing import IO, Any

import nbformat
from anyio.to_thread import run_sync
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from jupyter_server.utils import to_api_path
from tornado import web
from traitlets import Bool, Int
from traitlets.config import LoggingConfigurable

from reactive_kernel import KERNELSPEC, formats
from reactive_kernel.core.errors import FormatError, NotebookModelError, NotRegularFileError
from reactive_kernel.server import atomic_file, notebook_check, pairing
from reactive_kernel.server.sniff import Sniffer

_SUFFIX = ".py"
_IMPLIED = "implied_kernelspec"  # reactive_format key: the kernelspec was not in the file

# Verdicts for the `.py` files of the folder being listed, sniffed together before the base manager
# asks for each entry's model: {API path: format or None}.
_LISTING: contextvars.ContextVar[dict[str, str | None] | None] = contextvars.ContextVar(
    "reactive_listing", default=None
)


class ReactiveContents(LoggingConfigurable):
    """The `.py` notebook behaviour, mixed over an async contents manager class.

    Configured as `c.ReactiveContents.<trait>` whatever class it is mixed over.
    """

    all_py_notebooks = Bool(
        False,
        help="Open every .py file as a notebook, not only those with a percent header, a `# %%` "
        "marker or a marimo app.",
    ).tag(config=True)

    sniff_bytes = Int(
        65536,
        help="How much of a .py file is read to decide, in a directory listing, whether it is a notebook.",
    ).tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sniffer = Sniffer(self.sniff_bytes)
        self._save_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def get(
        self,
        path: str,
        content: bool = True,
        type: str | None = None,
        format: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        path = path.strip("/")
        if path.endswith(_SUFFIX) and (
            type == "notebook" or (type is None and await self._is_py_notebook(path))
        ):
            return await self._get_py_notebook(path, content, **kwargs)
        if not content or type not in (None, "directory"):
            return await super().get(path, content=content, type=type, format=format, **kwargs)
        token = _LISTING.set(await self._sniff_folder(path))
        try:
            return await super().get(path, content=content, type=type, format=format, **kwargs)
        finally:
            _LISTING.reset(token)

    async def save(self, model: dict[str, Any], path: str = "") -> dict[str, Any]:
        path = path.strip("/")
        if model.get("type") != "notebook" or not path.endswith(_SUFFIX) or "content" not in model:
            return await super().save(model, path)
        lock = self._save_locks.get(path)
        if lock is None:
            lock = self._save_locks[path] = asyncio.Lock()
        async with lock:  # one save of a `.py` and its pair at a time, so the two match
            return await self._save_py_notebook(model, path)

    async def new_untitled(self, path: str = "", type: str = "", ext: str = "") -> dict[str, Any]:
        """`Untitled.py` as a notebook when asked for type notebook with ext .py (the base forces .ipynb)."""
        if type != "notebook" or ext != _SUFFIX:
            return await super().new_untitled(path=path, type=type, ext=ext)
        path = path.strip("/")
        if not await self.dir_exists(path):
            raise web.HTTPError(404, f"No such directory: {path}")
        name = await self.increment_filename(self.untitled_notebook + _SUFFIX, path)
        return await self.new({"type": "notebook"}, f"{path}/{name}" if path else name)

    # ---- saving -------------------------------------------------------------------------------------

    async def _save_py_notebook(self, model: dict[str, Any], path: str) -> dict[str, Any]:
        try:
            nb = notebook_check.checked(model["content"])
        except NotebookModelError as exc:
            raise web.HTTPError(400, f"{path}: {exc}", reason="bad notebook") from exc
        fmt = formats.format_of(nb) or "percent"
        implied = nb.metadata.get("reactive_format", {}).pop(_IMPLIED, False)
        if implied and nb.metadata.get("kernelspec", {}).get("name") == KERNELSPEC["name"]:
            del nb.metadata["kernelspec"]  # the file had no kernelspec; it still has none
        try:
            text = formats.writes(nb, fmt)
            pair = pairing.wanted_pair(nb, path)
        except FormatError as exc:
            raise web.HTTPError(400, f"{path}: cannot write the notebook as {fmt}: {exc}") from exc
        if pair is not None:
            await self._check_pair(path, pair)
        await super().save({"type": "file", "format": "text", "content": text}, path)
        if not await self.checkpoints.list_checkpoints(path):
            await self.create_checkpoint(path)  # as the base manager does for notebooks
        if pair is not None:
            await super().save({"type": "notebook", "content": model["content"]}, pair)
        return await self._get_py_notebook(path, content=False)

    async def _check_pair(self, path: str, pair: str) -> None:
        """A 409 when the pair's name is taken by something a save must not replace."""
        get_os_path = getattr(self, "_get_os_path", None)
        if get_os_path is not None:
            why = await run_sync(pairing.refusal, get_os_path(pair), self.root_dir)
        else:  # not file-backed: ask the base manager
            why = await self._pair_refusal_via_api(pair)
        if why is not None:
            raise web.HTTPError(
                409,
                f"{path} was not saved: its outputs go to {pair}, which {why}. Rename or move "
                f"{posixpath.basename(pair)}, or remove reactive.pair from this notebook's metadata, "
                "then save again.",
                reason="pair conflict",
            )

    async def _pair_refusal_via_api(self, pair: str) -> str | None:
        if not await self.file_exists(pair):
            return None
        try:
            paired = (await super().get(pair, content=True, type="notebook"))["content"]
        except web.HTTPError:
            return pairing.UNREADABLE
        return None if pairing.names_itself(paired, posixpath.basename(pair)) else pairing.NOT_THE_PAIR

    async def _save_file(self, os_path: str, content: Any, format: str | None) -> None:
        """The base's file save, but the whole write (and its fsync) replaces the file off the event loop."""
        if not getattr(self, "use_atomic_writing", False):
            return await super()._save_file(os_path, content, format)
        await self._replace(os_path, _file_bytes(self._api_path(os_path), content, format))

    async def _save_notebook(self, os_path: str, nb: Any, capture_validation_error: Any = None) -> None:
        """The base's `.ipynb` save (same JSON, newline at the end), replacing the file all at once."""
        if not getattr(self, "use_atomic_writing", False):
            return await super()._save_notebook(
                os_path, nb, capture_validation_error=capture_validation_error
            )
        write = partial(
            nbformat.writes, version=nbformat.NO_CONVERT, capture_validation_error=capture_validation_error
        )
        text = await run_sync(write, nb)
        await self._replace(os_path, (text if text.endswith("\n") else text + "\n").encode("utf-8"))

    @contextlib.contextmanager
    def atomic_writing(self, os_path: str, *args: Any, **kwargs: Any) -> Iterator[IO]:
        """For the base's other writers (the first chunk of an upload): replace, never truncate in place."""
        if not getattr(self, "use_atomic_writing", False):
            with super().atomic_writing(os_path, *args, **kwargs) as f:
                yield f
            return
        kwargs.pop("log", None)
        with self.perm_to_403(os_path), self._not_regular_to_400(os_path):
            with atomic_file.replacing(os_path, *args, **kwargs) as f:
                yield f

    async def _replace(self, os_path: str, data: bytes) -> None:
        with self.perm_to_403(os_path), self._not_regular_to_400(os_path):
            await run_sync(atomic_file.replace_bytes, os_path, data)

    @contextlib.contextmanager
    def _not_regular_to_400(self, os_path: str) -> Iterator[None]:
        try:
            yield
        except NotRegularFileError as exc:
            path = self._api_path(os_path)
            raise web.HTTPError(
                400, f"{path} is a {exc.kind}, not a regular file; it was not replaced"
            ) from exc

    def _api_path(self, os_path: str) -> str:
        return to_api_path(os_path, os.path.abspath(self.root_dir))

    # ---- reading ------------------------------------------------------------------------------------

    async def _get_py_notebook(self, path: str, content: bool, **kwargs: Any) -> dict[str, Any]:
        model = await super().get(path, content=content, type="file", format=None, **kwargs)
        model.update(type="notebook", mimetype=None)
        if not content:
            return model
        text = _text(path, model)
        try:
            nb = formats.reads(text)
        except FormatError as exc:
            raise web.HTTPError(400, f"{path}: {exc}", reason="bad notebook") from exc
        if "kernelspec" not in nb.metadata:  # open on the reactive kernel, without writing it into the file
            nb.metadata["kernelspec"] = dict(KERNELSPEC)
            nb.metadata.setdefault("reactive_format", {})[_IMPLIED] = True
        await self._merge_pair(nb, path)
        self.mark_trusted_cells(nb, path)
        model.update(content=nb, format="json")
        self.validate_notebook_model(model)
        return model

    async def _merge_pair(self, nb: nbformat.NotebookNode, path: str) -> None:
        """Outputs from the paired `.ipynb`, when there is one that names this `.py` notebook's pair."""
        pair = pairing.pair_name(path)
        if not await self.file_exists(pair):
            return
        try:
            paired = (await super().get(pair, content=True, type="notebook"))["content"]
        except web.HTTPError as exc:  # an unreadable .ipynb is nobody's pair; the .py still opens
            self.log.warning(
                "reactive_kernel: %s: not reading outputs from %s: %s", path, pair, exc.log_message
            )
            return
        if not pairing.names_itself(paired, posixpath.basename(pair)):
            return  # an unrelated notebook that happens to share the name
        pairing.merge(nb, paired)
        nb.metadata.setdefault("reactive", {})["pair"] = posixpath.basename(pair)

    async def _is_py_notebook(self, path: str) -> bool:
        if self.all_py_notebooks:
            return await self.file_exists(path)
        listing = _LISTING.get()
        if listing is not None and path in listing:
            return listing[path] is not None
        get_os_path = getattr(self, "_get_os_path", None)
        if get_os_path is None:  # not file-backed: ask the base manager for the whole file
            head = await self._whole_text(path)
            return head is not None and formats.detect(head) is not None
        return await run_sync(self._sniffer.verdict, get_os_path(path)) is not None

    async def _sniff_folder(self, path: str) -> dict[str, str | None] | None:
        """Verdicts for a folder's `.py` files by API path, sniffed in one trip to a worker thread for
        the listing to come; None when `path` is not a folder on disk."""
        get_os_path = getattr(self, "_get_os_path", None)
        if self.all_py_notebooks or get_os_path is None:
            return None
        os_dir = get_os_path(path)
        if not os.path.isdir(os_dir):  # a stat, as the base manager's own get does next
            return None
        verdicts = await run_sync(_sniff_dir, self._sniffer, os_dir)
        if verdicts is None:
            return None
        return {f"{path}/{name}" if path else name: found for name, found in verdicts.items()}

    async def _whole_text(self, path: str) -> str | None:
        """A file's text through the base manager, or None when it is missing or not text."""
        try:
            model = await super().get(path, content=True, type="file", format="text")
        except web.HTTPError:
            return None
        return model["content"]


def _sniff_dir(sniffer: Sniffer, os_dir: str) -> dict[str, str | None] | None:
    """Verdicts for the `.py` entries of a folder; None when it is not a folder we can list."""
    try:
        names = [name for name in os.listdir(os_dir) if name.endswith(_SUFFIX)]
    except OSError:
        return None
    return sniffer.verdicts(os_dir, names)


def _file_bytes(path: str, content: Any, format: str | None) -> bytes:
    """A file model's content as bytes, with the base manager's 400s for a bad format or encoding."""
    if format not in ("text", "base64"):
        raise web.HTTPError(400, "Must specify format of file contents as 'text' or 'base64'")
    try:
        return content.encode("utf-8") if format == "text" else base64.decodebytes(content.encode("ascii"))
    except (AttributeError, UnicodeError, binascii.Error) as exc:
        raise web.HTTPError(400, f"Encoding error saving {path}: {exc}") from exc


def _text(path: str, model: dict[str, Any]) -> str:
    """A file model's content as text; bytes that are not UTF-8 are a 400 naming the place."""
    if model.get("format") == "text":
        return model["content"]
    raw = base64.b64decode(model["content"])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        reason = f"line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        raise web.HTTPError(400, f"{path}: {reason}", reason="bad notebook") from exc


def reactive_contents_manager(base: type) -> type:
    """A subclass of `base` (an async contents manager class) that serves `.py` notebooks."""
    if issubclass(base, ReactiveContents):
        return base
    return type(f"Reactive{base.__name__}", (ReactiveContents, base), {})


class ReactiveContentsManager(ReactiveContents, AsyncLargeFileManager):
    """For `ServerApp.contents_manager_class` when the server extension is not wanted."""
