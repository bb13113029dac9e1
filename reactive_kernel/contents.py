"""The contents manager's import path before the package moved into folders (configs name it).

`c.ServerApp.contents_manager_class = "reactive_kernel.contents.ReactiveContentsManager"` was the
documented setting; Hub configs written with it keep working. New configs name
`reactive_kernel.server.contents.ReactiveContentsManager`.
"""

from reactive_kernel.server.contents import ReactiveContentsManager

__all__ = ["ReactiveContentsManager"]
