"""Sandbox fixtures: the simulated PJE-TRT as a subprocess on a free port."""
