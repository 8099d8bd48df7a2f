"""The tier policy: what differs between a kabupaten/kota and the tiers above it, as one interface.

A kabupaten/kota collects village and agency files during the Daftar Data's window and computes its
own indicator components from the rows it stored. A province or the centre collects its children's
signed packages at any time, takes their components as they are, and states who delivered.

This module names the interface only and imports no stage; ``policy`` implements it and ``policy.tier_for``
(the composition root, called by ``Runtime.from_env``) chooses one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import pandas as pd  # imported where a frame is made: planning (``plan``) never loads it

    from ..kosakata import Level
    from .handoff import Batch, Collected, Validated
    from .runtime import Runtime


class Tier(Protocol):
    @property
    def tingkat(self) -> str: ...

    @property
    def child_level(self) -> Level:
        """The level of whoever submits to this tier (a kabupaten: desa; a province: kabupaten; the centre: provinsi)."""
        ...

    @property
    def child_code_length(self) -> int:
        """Length of the region code of whoever submits to this tier (desa 13, kabupaten 5, provinsi 2)."""
        ...

    @property
    def monitors_desa(self) -> bool:
        """True: desa and agencies send files here, and the pages follow each desa (else children's packages)."""
        ...

    @property
    def gates_any_time(self) -> bool:
        """True: the hourly gate ignores the collection window (packages arrive whenever a child closes)."""
        ...

    @property
    def corrects_late_packages(self) -> bool:
        """True: a child's package accepted after publication triggers a corrected publication."""
        ...

    def plan(self, rt: Runtime) -> list[Batch]:
        """New inbox objects, as batches for the mapped gate tasks."""
        ...

    def collect(self, rt: Runtime, batch: Batch) -> Collected:
        """Archive a planned batch's objects byte for byte (files, or a child's packages)."""
        ...

    def validate(self, rt: Runtime, collected: Collected, run_id: str) -> Validated:
        """The gate on a collected batch (village/agency files, or children's packages)."""
        ...

    def refresh_components(self, rt: Runtime) -> None:
        """Bring the warehouse's indicator components up to date before aggregation."""
        ...

    def coverage_sources(self, rt: Runtime) -> dict[str, set[str]]:
        """Per source, the desa codes with accepted data (what coverage counts)."""
        ...

    def deliveries(self, rt: Runtime) -> pd.DataFrame:
        """Per child region: delivered or not, which version is used (empty at a kabupaten)."""
        ...

    def publication_extras(self, rt: Runtime, sent: pd.DataFrame) -> dict[str, pd.DataFrame]:
        """Tables the package carries besides indicators, components and coverage."""
        ...
