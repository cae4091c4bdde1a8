"""An example tribunal plugin for Sinesys Captura: eproc (TRF4, TJSC, TJTO), shipped as its own package."""
