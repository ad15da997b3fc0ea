"""Example inputs for tests and demos: documents shaped like the real thing."""
