"""`python -m sohoa` runs the command line."""

from sohoa.cli import run

run()
