"""Desa Cantik / Satu Data village data cycle: the domain logic, free of Airflow.

Modules, one concern each: ``regions`` (Kemendagri codes), ``datasets`` (the standard as data),
``intake`` (submission files), ``quality`` (the BPS gate), ``storage`` (object store and warehouse),
``coordination`` (indicators), ``publishing`` (delivery package), ``cycle`` (the stages that DAGs call).
"""

__version__ = "0.1.0"
