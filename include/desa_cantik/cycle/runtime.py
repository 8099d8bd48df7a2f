"""Everything a stage needs, built once per task from the environment, the tier's policy included."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..config import DaftarData, Settings
from ..storage import ObjectStore, Warehouse, open_store
from .tier import Tier


@dataclass
class Runtime:
    settings: Settings
    daftar: DaftarData
    store: ObjectStore
    warehouse: Warehouse
    tier: Tier  # chosen once (``policy.tier_for``): stages ask the policy, never branch on tingkat

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Runtime:
        from .policy import tier_for  # the composition root: the one module that wires the stages

        settings = Settings.from_env(env)
        warehouse = Warehouse(settings.gudang_url)
        warehouse.ensure()
        return cls(settings, DaftarData.load(settings.daftar_data), open_store(settings.objek_url), warehouse,
                   tier_for(settings.tingkat))

    @property
    def tahun(self) -> int:
        return self.daftar.tahun

    def untuk_tahun(self, tahun: int) -> Runtime:
        """The same tier looking at another year's data (a page's ``?tahun=``, the previous year's package): the
        Daftar Data's year replaced, its datasets and dates this year's own."""
        return self if tahun == self.tahun else replace(self, daftar=replace(self.daftar, tahun=tahun))

    @property
    def wilayah(self) -> str:
        return self.settings.kode_wilayah
