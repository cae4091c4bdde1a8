"""Agendamentos (scheduled captures) and job runners."""
