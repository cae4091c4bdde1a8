"""Capture spiders: one module per ``TipoCaptura``."""
