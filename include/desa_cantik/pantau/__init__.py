"""What the monitoring pages show, as pure functions of the warehouse, the object store, the Daftar Data and the
region list: one module per page's view model, with what they share beside them.

| module | what |
| --- | --- |
| ``siklus`` | Pantau siklus per area (sub-areas × datasets), the deadline, the datasets, a dataset's counts |
| ``desa`` | the desa of a kecamatan (each dataset's verdict and why) and one desa (files, stored and quarantined rows) |
| ``rekap_temuan`` | Temuan: findings per rule in an area, and where one rule hit |
| ``indikator`` | the tier's indicators and one level's table |
| ``paket`` | published versions, the children's deliveries, Bappeda's decisions |
| ``berkas`` | a checked file as the pages list it (``BerkasDiperiksa``), the file page, its Data Docs |
| ``format`` | numbers, times and run ids as the pages write them (the Jinja filters), the status labels |
| ``wilayah`` | the region hierarchy: breadcrumbs, accepted codes, sub-areas, areas per level |
| ``katalog`` | the rule catalogue: what each rule checks |
| ``tahun`` | which year a page shows: the running year, or one the warehouse holds (``?tahun=``) |

Every count is grouped by the database, so a page reads tens of rows whatever the tier's size. Every free text
from a sender or a finding passes ``pii.mask_text`` before it reaches a page. A function's ``wilayah_tingkat`` is
the tier's own region code (``""`` at the centre). Never imports Airflow or FastAPI.
"""

from .berkas import BerkasDiperiksa, RincianBerkas, data_docs_key, rincian_berkas
from .desa import DaftarDesa, RincianDesa, StatusDataset, daftar_desa, rincian_desa
from .format import LABEL, SEVERITY_LABEL, angka, baris, nilai, run_label, versi_waktu, waktu
from .indikator import HalamanIndikator, halaman_indikator
from .katalog import InfoAturan, katalog_aturan, uraian_aturan
from .paket import HalamanPaket, halaman_paket
from .rekap_temuan import Temuan, TemuanAturan, temuan, temuan_aturan
from .siklus import RingkasanWilayah, datasets_of, ringkasan_wilayah, tenggat
from .tahun import PilihanTahun, TahunTidakAda, pilihan_tahun
from .wilayah import area_inside, areas_per_level, jejak, level_of, nama_wilayah, sub_areas

__all__ = [
    "LABEL",
    "SEVERITY_LABEL",
    "BerkasDiperiksa",
    "DaftarDesa",
    "HalamanIndikator",
    "HalamanPaket",
    "InfoAturan",
    "PilihanTahun",
    "RincianBerkas",
    "RincianDesa",
    "RingkasanWilayah",
    "StatusDataset",
    "TahunTidakAda",
    "Temuan",
    "TemuanAturan",
    "angka",
    "area_inside",
    "areas_per_level",
    "baris",
    "daftar_desa",
    "data_docs_key",
    "datasets_of",
    "halaman_indikator",
    "halaman_paket",
    "jejak",
    "katalog_aturan",
    "level_of",
    "nama_wilayah",
    "nilai",
    "pilihan_tahun",
    "rincian_berkas",
    "rincian_desa",
    "ringkasan_wilayah",
    "run_label",
    "sub_areas",
    "temuan",
    "temuan_aturan",
    "tenggat",
    "uraian_aturan",
    "versi_waktu",
    "waktu",
]
