"""The ipykernel adapter: the kernel class, the comm and its protocol, the magics, interrupts."""
