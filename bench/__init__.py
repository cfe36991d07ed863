"""Speed benchmarks for Huhang, run by `make bench` (`python -m bench`).

Each figure is measured together with a baseline in the same run, printed, and written to
``bench/results.json`` as a list of ``{"name", "value", "unit", "baseline", "ratio"}`` with
``ratio = value / baseline`` (lower is better). Unit tests never assert on time.

Adding a benchmark: write a module under ``bench/``, decorate a function taking a
:class:`bench.registry.Context` with :func:`bench.registry.benchmark`, have it return a list
of :func:`bench.registry.result` dicts, and list the module in ``bench.registry.SUITES``.
Suite modules are imported before ``django.setup()``: import models inside the function.
"""
