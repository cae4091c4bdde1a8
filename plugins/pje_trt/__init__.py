"""The PJE-TRT plugin: the 24 Regional Labour Courts and the TST (pje-api.md)."""
