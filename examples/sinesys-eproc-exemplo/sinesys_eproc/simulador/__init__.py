"""A small simulator of eproc (the system of the TRF4, TJSC and TJTO): login, second factor, case list."""
