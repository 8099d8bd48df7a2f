"""Desa Cantik / Satu Data village data cycle: the domain logic, free of Airflow.

Modules, one concern each: ``regions`` (Kemendagri codes), ``datasets`` (the standard as data),
``intake`` (submission files), ``quality`` (the BPS gate), ``storage`` (object store and warehouse),
``coordination`` (indicators), ``publishing`` (delivery package), ``cycle`` (the stages that DAGs call).
"""

# The release, the one value code reads (``bags.RELEASE`` in every package's bag-info.txt, ``python -m desa_cantik versi``);
# pyproject.toml's version is the same (tests/test_rilis.py), CHANGELOG.md says what each release changed.
__version__ = "0.2.0"
