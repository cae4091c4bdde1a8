"""The contract-test kit for tribunal plugins: subclass :class:`ContratoPlugin`, provide ``simulador_kit``.

See :mod:`sinesys_spiders.testing.kit.contrato` for what it checks, and ``docs/plugins.md`` for a walk-through.
"""

from sinesys_spiders.testing.kit.contrato import ContratoPlugin, ExecucaoKit, SimuladorKit, UsuarioKit, diferencas

__all__ = ["ContratoPlugin", "ExecucaoKit", "SimuladorKit", "UsuarioKit", "diferencas"]
