"""The tier policy: what differs between a kabupaten/kota and the tiers above it, decided in one place.

A kabupaten/kota collects village and agency files during the Daftar Data's window and computes its
own indicator components from the rows it stored. A province or the centre collects its children's
signed packages at any time, takes their components as they are, and states who delivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import pandas as pd  # imported where a frame is made: planning (``plan``) never loads it

    from .handoff import Batch
    from .runtime import Runtime



class Tier(Protocol):
    @property
    def tingkat(self) -> str: ...

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


@dataclass(frozen=True)
class KabupatenTier:
    tingkat: str = "kabupaten"
    child_code_length: int = 13
    monitors_desa: bool = True
    gates_any_time: bool = False
    corrects_late_packages: bool = False

    def plan(self, rt: Runtime) -> list[Batch]:
        from .inbox import plan_file_batches

        return list(plan_file_batches(rt))

    def refresh_components(self, rt: Runtime) -> None:
        from .coordinate import own_components

        own_components(rt)

    def coverage_sources(self, rt: Runtime) -> dict[str, set[str]]:
        from ..storage import data_table

        return {ds: rt.warehouse.desa_codes(data_table(ds), rt.tahun) for ds in rt.daftar.datasets}

    def deliveries(self, rt: Runtime) -> pd.DataFrame:  # noqa: ARG002 - no children deliver packages here
        import pandas as pd

        return pd.DataFrame()

    def publication_extras(self, rt: Runtime, sent: pd.DataFrame) -> dict[str, pd.DataFrame]:  # noqa: ARG002
        findings = rt.warehouse.validation_summary(rt.tahun)
        return {"ringkasan_validasi": findings.groupby(["dataset", "aturan", "keparahan"], as_index=False)["jumlah"]
                .sum().sort_values(["dataset", "aturan", "keparahan"], ignore_index=True)}


@dataclass(frozen=True)
class UpperTier:
    tingkat: str  # provinsi | pusat
    child_code_length: int  # provinsi collects kabupaten (5), pusat collects provinsi (2)
    monitors_desa: bool = False
    gates_any_time: bool = True
    corrects_late_packages: bool = True

    def plan(self, rt: Runtime) -> list[Batch]:
        from .packages import plan_package_batches

        return list(plan_package_batches(rt))

    def refresh_components(self, rt: Runtime) -> None:
        """Children's components are loaded as delivered: nothing to compute here."""

    def coverage_sources(self, rt: Runtime) -> dict[str, set[str]]:
        from ..storage import COMPONENTS

        return {COMPONENTS: rt.warehouse.desa_codes(COMPONENTS, rt.tahun)}

    def deliveries(self, rt: Runtime) -> pd.DataFrame:
        from .packages import deliveries

        return deliveries(rt, self.child_code_length)

    def publication_extras(self, rt: Runtime, sent: pd.DataFrame) -> dict[str, pd.DataFrame]:  # noqa: ARG002
        return {"pengiriman": sent}  # above kabupaten, the deliveries are what the gate judged


def tier_for(tingkat: str) -> Tier:
    if tingkat == "kabupaten":
        return KabupatenTier()
    if tingkat == "provinsi":
        return UpperTier("provinsi", 5)
    if tingkat == "pusat":
        return UpperTier("pusat", 2)
    raise ValueError(f"tingkat tidak dikenal: {tingkat!r} (kabupaten, provinsi atau pusat)")
