"""Test helpers shipped to plugin authors (sandbox fixtures, contract tests)."""
