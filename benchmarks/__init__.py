"""Benchmarks: each module has a ``main()`` that measures and writes its figures to ``benchmarks/results/``.

Figures are ratios against a baseline measured in the same run, never thresholds asserted in tests: these
machines are shared and noisy. Run all with ``python -m benchmarks`` or one with ``python -m benchmarks NAME``.
"""
