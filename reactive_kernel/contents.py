"""Serve `.py` notebooks (percent or marimo) as notebooks through whatever contents manager the server has.

`reactive_contents_manager(base)` subclasses the server's manager class (`AsyncLargeFileManager` by
default): a `.py` file that is a notebook is reported as `type: notebook`, read through
`reactive_kernel.formats` and saved back as text in the format it was read in (new files: percent).
Everything else, including `type=file` requests for the same `.py` (the editor), is the base manager's.
Saving goes through the base manager's file saving, so it is atomic, runs the save hooks, and gives
the same `last_modified` and `hash` as a read of the file.
"""

from __future__ import annotations

import base64
import posixpath
from typing import Any

import nbformat
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado import web
from traitlets import Bool, Int
from traitlets.config import LoggingConfigurable

from reactive_kernel import KERNELSPEC, formats, pairing
from reactive_kernel.errors import FormatError

_SUFFIX = ".py"
_IMPLIED = "implied_kernelspec"  # reactive_format key: the kernelspec was not in the file


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
        return await super().get(path, content=content, type=type, format=format, **kwargs)

    async def save(self, model: dict[str, Any], path: str = "") -> dict[str, Any]:
        path = path.strip("/")
        if model.get("type") != "notebook" or not path.endswith(_SUFFIX) or "content" not in model:
            return await super().save(model, path)
        nb = nbformat.from_dict(model["content"])
        fmt = formats.format_of(nb) or "percent"
        implied = nb.metadata.get("reactive_format", {}).pop(_IMPLIED, False)
        if implied and nb.metadata.get("kernelspec", {}).get("name") == KERNELSPEC["name"]:
            del nb.metadata["kernelspec"]  # the file had no kernelspec; it still has none
        try:
            text = formats.writes(nb, fmt)
            pair = pairing.wanted_pair(nb, path)
        except FormatError as exc:
            raise web.HTTPError(400, f"{path}: cannot write the notebook as {fmt}: {exc}") from exc
        await super().save({"type": "file", "format": "text", "content": text}, path)
        if not await self.checkpoints.list_checkpoints(path):
            await self.create_checkpoint(path)  # as the base manager does for notebooks
        if pair is not None:
            await super().save({"type": "notebook", "content": model["content"]}, pair)
        return await self._get_py_notebook(path, content=False)

    async def new_untitled(self, path: str = "", type: str = "", ext: str = "") -> dict[str, Any]:
        """`Untitled.py` as a notebook when asked for type notebook with ext .py (the base forces .ipynb)."""
        if type != "notebook" or ext != _SUFFIX:
            return await super().new_untitled(path=path, type=type, ext=ext)
        path = path.strip("/")
        if not await self.dir_exists(path):
            raise web.HTTPError(404, f"No such directory: {path}")
        name = await self.increment_filename(self.untitled_notebook + _SUFFIX, path)
        return await self.new({"type": "notebook"}, f"{path}/{name}" if path else name)

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
        paired = (await super().get(pair, content=True, type="notebook"))["content"]
        if paired.get("metadata", {}).get("reactive", {}).get("pair") != posixpath.basename(pair):
            return  # an unrelated notebook that happens to share the name
        pairing.merge(nb, paired)
        nb.metadata.setdefault("reactive", {})["pair"] = posixpath.basename(pair)

    async def _is_py_notebook(self, path: str) -> bool:
        if self.all_py_notebooks:
            return await self.file_exists(path)
        head = await self._head(path)
        return head is not None and formats.detect(head) is not None

    async def _head(self, path: str) -> str | None:
        """The start of a file as text, or None when it is not a readable file."""
        get_os_path = getattr(self, "_get_os_path", None)
        if get_os_path is None:  # not file-backed: ask the base manager for the whole file
            try:
                model = await super().get(path, content=True, type="file", format="text")
            except web.HTTPError:
                return None  # missing, or not text
            return model["content"]
        try:
            with open(get_os_path(path), "rb") as f:
                return f.read(self.sniff_bytes).decode("utf-8", errors="replace")
        except OSError:
            return None


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
