"""The hand-run benchmark of zoo-review against lychee (see bench/README.md)."""
