"""The executor's import path before the package moved into folders (nbconvert configs name it).

`from reactive_kernel.executor import dependency_order_preprocessors` and
`--Exporter.preprocessors=reactive_kernel.executor.DependencyOrderPreprocessor` were documented; configs
written with them keep working. New configs name `reactive_kernel.headless.executor`.
"""

from reactive_kernel.headless.executor import DependencyOrderPreprocessor, dependency_order_preprocessors

__all__ = ["DependencyOrderPreprocessor", "dependency_order_preprocessors"]
