"""Synthetic Vietnamese administrative scans with ground truth, for tests and demos."""
