"""What the kernelspec starts: IPython's kernel application running ReactiveKernel."""

from __future__ import annotations

from ipykernel.kernelapp import IPKernelApp

from reactive_kernel.kernel.ipkernel import ReactiveKernel


def main() -> None:
    IPKernelApp.launch_instance(kernel_class=ReactiveKernel)


if __name__ == "__main__":
    main()
