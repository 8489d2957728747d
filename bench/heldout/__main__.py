"""`python -m bench.heldout OUT_DIR --count N --seed S [--kinds ...] [--profiles ...]`."""

from bench.heldout.corpus import main

raise SystemExit(main())
