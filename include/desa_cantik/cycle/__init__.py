"""The stages of the cycle, one module each, as plain functions the DAGs (and tests) call.

::

    masuk/ ──► inbox ──► gate ──────────► store ──► cross_check ──► coordinate ──► publish ──► tier above
              (walidata:  (pembina: GX,    (walidata:   (pembina:       (koordinator:   (walidata:
               plan,       reports,         COPY rows,   levels 2-4     indicators,      signed BagIt
               archive)    bundle)          registry,    on all data)   coverage)        package)
                 │            │             quarantine)
                 └─ packages ─┘  provinsi/pusat: children's signed packages instead of files

``runtime.Runtime`` carries settings, the Daftar Data, the stores and the tier policy (``tier.Tier``,
chosen once in ``policy``, the composition root); ``bundle`` holds what the gate hands storage
(``FileBundle | DeliveryBundle``); ``handoff`` types every payload between tasks; ``checks``,
``versions`` and ``publication`` are the floor the stages share; ``summary`` and ``cerita`` tell people
what happened. Object keys live in ``desa_cantik.storage.layout``. No stage imports another stage
(``tests/test_house_cycle.py``). Import from the stage's module
(this package imports nothing, so a DAG file can read ``handoff`` without loading pandas).
"""
