"""What every stage may use to run safely: atomic outputs and output sets, advisory locks, interrupts,
cache fingerprints."""
