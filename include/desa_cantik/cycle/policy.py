"""The tier policies and the one place that chooses one (the composition root): ``tier_for``, called by
``Runtime.from_env``. The only module of the cycle that reaches into the stages to wire them, each import
inside the method that needs it, so a DAG file can choose its tier at parse time without pandas."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..kosakata import CODE_LENGTH, KABUPATEN, PROVINSI, PUSAT, Level
from .handoff import FILES, PACKAGE

if TYPE_CHECKING:
    import pandas as pd

    from .handoff import Batch, Collected, Validated
    from .runtime import Runtime
    from .tier import Tier


@dataclass(frozen=True)
class KabupatenTier:
    tingkat: str = KABUPATEN
    child_level: Level = "desa"
    monitors_desa: bool = True
    gates_any_time: bool = False
    corrects_late_packages: bool = False

    @property
    def child_code_length(self) -> int:
        return CODE_LENGTH[self.child_level]

    def plan(self, rt: Runtime) -> list[Batch]:
        from .inbox import plan_file_batches

        return list(plan_file_batches(rt))

    def collect(self, rt: Runtime, batch: Batch) -> Collected:
        from .inbox import collect_files

        if batch["jenis"] != FILES:
            raise ValueError(f"kabupaten/kota mengumpulkan berkas, bukan paket: {batch['kelompok']}")
        return collect_files(rt, batch)

    def validate(self, rt: Runtime, collected: Collected, run_id: str) -> Validated:
        from .gate import validate_files

        if collected["jenis"] != FILES:
            raise ValueError(f"kabupaten/kota memeriksa berkas, bukan paket: {collected['kelompok']}")
        return validate_files(rt, collected, run_id)

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
    child_level: Level  # a province collects kabupaten/kota, the centre provinces
    monitors_desa: bool = False
    gates_any_time: bool = True
    corrects_late_packages: bool = True

    @property
    def child_code_length(self) -> int:
        return CODE_LENGTH[self.child_level]

    def plan(self, rt: Runtime) -> list[Batch]:
        from .packages import plan_package_batches

        return list(plan_package_batches(rt))

    def collect(self, rt: Runtime, batch: Batch) -> Collected:
        from .packages import collect_packages

        if batch["jenis"] != PACKAGE:
            raise ValueError(f"{self.tingkat} mengumpulkan paket, bukan berkas: {batch['kelompok']}")
        return collect_packages(rt, batch)

    def validate(self, rt: Runtime, collected: Collected, run_id: str) -> Validated:
        from .packages import validate_packages

        if collected["jenis"] != PACKAGE:
            raise ValueError(f"{self.tingkat} memeriksa paket, bukan berkas: {collected['kelompok']}")
        return validate_packages(rt, collected, run_id)

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
    if tingkat == KABUPATEN:
        return KabupatenTier()
    if tingkat == PROVINSI:
        return UpperTier(PROVINSI, "kabupaten")
    if tingkat == PUSAT:
        return UpperTier(PUSAT, "provinsi")
    raise ValueError(f"tingkat tidak dikenal: {tingkat!r} (kabupaten, provinsi atau pusat)")
