"""Dramatiq broker set-up and the thin actors that move documents through the pipeline."""
