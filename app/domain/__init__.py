"""Pure-Python domain logic: no Qt here (an import-linter contract enforces it)."""
