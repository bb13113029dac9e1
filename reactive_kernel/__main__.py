"""`python -m reactive_kernel`: the same as the `reactive-kernel` command."""

import sys

from reactive_kernel.cli import main

if __name__ == "__main__":
    sys.exit(main())
