"""Bappeda's approval before the package is published: a human-in-the-loop step and its two outcomes; and the
yearly run's first task, which lets a year be closed (and Bappeda asked) once.

``periksa_penutupan`` (owner Diskominfo) runs first: when another run of this year already has Bappeda's
decision recorded, this run fails there, at once and without retries, its log saying why and what to do (a task
cannot set the run's note in Airflow 3.3, so the failed first task is the run's visible outcome); every other
task is then ``upstream_failed``. A correction run (run parameters ``koreksi`` and ``alasan_koreksi``, in the
trigger form) closes the year again, says what it changes, and the approval request and the decision carry its
reason.

``persetujuan_bappeda`` (owner Bappeda) parks the run in *awaiting input* and shows Bappeda the
indicators, coverage and open findings (``desa_cantik.cycle.persetujuan``). Only the Bappeda role (and
Admin) may answer: the REST API checks ``can_edit`` on "HITL Detail" and on the DAG (config/peran.yaml).

- **Setujui** → ``susun_paket`` runs; it first calls ``wajib_disetujui()``, which records the approval and
  refuses to publish without one (so marking the approval task "success" by hand publishes nothing).
- **Tolak** (a reason is required: a rejection without one is asked again) → ``susun_paket`` is skipped,
  ``catat_penolakan`` records who, when and why in the object store and logs it.
- **No answer** within the Daftar Data's ``persetujuan.batas_waktu_jam``: the default, Tolak, is taken by
  the scheduler; not published, recorded as a timeout.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from airflow.providers.standard.operators.hitl import HITLBranchOperator
from airflow.sdk import Param, get_current_context, task
from airflow.sdk.exceptions import AirflowSkipException

from common.kabar import buka_persetujuan, kabar_penutupan, queue_and_send, tutup_persetujuan
from common.pillars import BAPPEDA, KOMINFO, diterima, log, runtime
from desa_cantik.cycle.handoff import KEPUTUSAN, PENUTUPAN
from desa_cantik.cycle.persetujuan import ALASAN_KOREKSI, KOREKSI, SETUJUI, TOLAK

if TYPE_CHECKING:
    from airflow.sdk import Context

    from desa_cantik.cycle.handoff import Penutupan
    from desa_cantik.cycle.persetujuan import Keputusan, RingkasanPersetujuan
    from desa_cantik.cycle.runtime import Runtime
    from desa_cantik.storage.kotak import Kabar

TASK_ID = "persetujuan_bappeda"
XCOM_KEY = "keputusan"
PUBLISH_TASK = "susun_paket"
REJECT_TASK = "catat_penolakan"
CLOSE_TASK = "periksa_penutupan"

# Bappeda's form: the reason for a rejection (required then), a note with an approval
APPROVAL_PARAMS = {"alasan": Param("", type="string", title="Alasan / catatan",
                                   description="Wajib diisi bila memilih Tolak; catatan bila Setujui.")}
# the yearly DAG's run parameters: the trigger form shows them; a scheduled run takes the defaults (no correction)
PARAMS_KOREKSI = {
    KOREKSI: Param(False, type="boolean", title="Koreksi: tutup ulang tahun yang sudah ditutup",
                   description="Biarkan kosong untuk penutupan biasa. Centang hanya bila tahun ini sudah ditutup "
                               "(Bappeda sudah memutuskan) dan perlu ditutup ulang, mis. data diperbaiki setelah "
                               "penolakan atau kiriman terlambat harus masuk; tanpa centang, run kedua untuk tahun "
                               "yang sama ditolak oleh periksa_penutupan."),
    ALASAN_KOREKSI: Param("", type="string", title="Alasan koreksi",
                          description="Wajib bila Koreksi dicentang: apa yang berubah sejak penutupan sebelumnya. "
                                      "Ditampilkan kepada Bappeda dan dicatat bersama keputusannya."),
}


class PersetujuanBappeda(HITLBranchOperator):
    """The approval request: its body is computed when the task runs (the warehouse at the close)."""

    def __init__(self, *, batas_jam: float, wait_for_all: bool, **kwargs: Any) -> None:
        super().__init__(
            task_id=TASK_ID,
            owner=BAPPEDA,
            subject="Persetujuan Bappeda: terbitkan paket data Desa Cantik?",
            body="Ringkasan disusun saat tugas berjalan.",
            options=[SETUJUI, TOLAK],
            defaults=[TOLAK],  # no answer in time: not published
            options_mapping={SETUJUI: PUBLISH_TASK, TOLAK: REJECT_TASK},
            response_timeout=timedelta(hours=batas_jam),
            trigger_rule="none_failed",
            doc_md="Bappeda memeriksa indikator, cakupan dan temuan, lalu **Setujui** (paket diterbitkan) atau "
                   "**Tolak** dengan alasan (tidak diterbitkan; dicatat oleh `catat_penolakan`).",
            **kwargs,
        )
        self.batas_jam = batas_jam
        self.wait_for_all = wait_for_all

    def execute(self, context: Context) -> Any:
        from desa_cantik.cycle.persetujuan import approval_markdown, approval_summary
        from desa_cantik.regions import region_name

        rt = runtime()
        sent = rt.tier.deliveries(rt)
        if self.wait_for_all and len(sent) and not sent["terkirim"].all():
            belum = sorted(map(str, sent.loc[~sent["terkirim"], "kode_wilayah"]))
            # Diskominfo hears who is late (after batas_akhir)
            queue_and_send(rt, kabar_penutupan(rt, str(context.get("run_id") or ""), region_name(rt.wilayah), belum))
            raise AirflowSkipException(f"menunggu paket dari: {', '.join(belum)}; persetujuan diminta setelah semua mengirim")
        run_id = context["run_id"]
        summary = approval_summary(rt)
        koreksi = "Koreksi: " if (p := _penutupan()) is not None and p["koreksi"] else ""
        self.subject = (f"Persetujuan Bappeda: {koreksi}terbitkan paket Desa Cantik {summary['tahun']} "
                        f"{summary['nama_wilayah']}?")
        self.body = approval_markdown(summary, self.batas_jam, p)
        self.log.info("Meminta persetujuan Bappeda (batas %s jam):\n%s", f"{self.batas_jam:g}", self.body)
        mulai = datetime.now(UTC)
        # Bappeda hears the request waits; Diskominfo and Admin what the close left out (late children, low coverage)
        queue_and_send(rt, _kabar_menunggu(rt, summary, self.batas_jam, run_id, mulai,
                                           p["alasan_koreksi"] if p and p["koreksi"] else "")
                       + kabar_penutupan(rt, run_id, summary["nama_wilayah"], summary["belum_mengirim"], summary["cakupan"]))
        buka_persetujuan(rt, run_id, mulai, mulai + timedelta(hours=self.batas_jam), summary["nama_wilayah"])  # its last call
        return super().execute(context)

    def execute_complete(self, context: Context, event: dict[str, Any]) -> Any:  # Airflow's trigger event (JSON)
        from desa_cantik.cycle.persetujuan import decision_from_event, decision_text, rejected_without_reason

        tutup_persetujuan(runtime(), context["run_id"])  # answered or timed out: no last call any more
        if "error" not in event and rejected_without_reason(event):
            return self._ask_again(context)
        if "error" not in event:
            p = _penutupan()
            keputusan = decision_from_event(event, context["run_id"], p["alasan_koreksi"] if p is not None else "")
            context["ti"].xcom_push(key=XCOM_KEY, value=keputusan)
            self.log.info(decision_text(keputusan))
        return super().execute_complete(context, event)

    def _ask_again(self, context: Context) -> Any:
        """A rejection needs its reason: the request is opened again (same question, the clock restarts)."""
        from airflow.sdk.exceptions import TaskAwaitingInput
        from airflow.sdk.execution_time.hitl import upsert_hitl_detail

        self.log.warning("Tolak tanpa alasan tidak diterima: permintaan persetujuan dibuka lagi; isi alasan penolakan.")
        upsert_hitl_detail(ti_id=context["task_instance"].id, options=self.options, subject=self.subject,
                           body=self.body, defaults=self.defaults, multiple=self.multiple,
                           params=self.serialized_params, assigned_users=self.assigned_users)
        mulai = datetime.now(UTC)
        buka_persetujuan(runtime(), context["run_id"], mulai, mulai + timedelta(hours=self.batas_jam), _nama_wilayah())
        raise TaskAwaitingInput(method_name="execute_complete", timeout=self.response_timeout)


def _nama_wilayah() -> str:
    from desa_cantik.regions import region_name

    return region_name(runtime().wilayah)


def _kabar_menunggu(rt: Runtime, summary: RingkasanPersetujuan, batas_jam: float, run_id: str, mulai: datetime,
                    koreksi: str) -> list[Kabar]:
    """Bappeda hears that the approval waits (config/kabar.yaml: persetujuan_menunggu): what, by when, where."""
    from desa_cantik.kabar import AturanKabar
    from desa_cantik.kabar.peristiwa import batas_persetujuan, persetujuan_menunggu

    try:
        aturan = AturanKabar.load()
        from desa_cantik.pantau.format import angka, nilai

        lines = [f"{i['indikator']}: {nilai(i['nilai'])} {i['satuan']} ({angka(i['desa_kontribusi'])} dari "
                 f"{angka(i['desa_total'])} desa)" for i in summary["indikator"][:6]]
        lines += [f"ditolak, belum diperbaiki: {ds} ({len(v)} pengirim)"
                  for ds, v in summary["ditolak_belum_diperbaiki"].items() if v]
        return persetujuan_menunggu(aturan, rt.daftar.zona_waktu, run_id, summary["tahun"], summary["nama_wilayah"],
                                    batas_persetujuan(mulai, batas_jam), lines, f"{aturan.alamat_web}/required_actions",
                                    koreksi)
    except Exception:  # the request itself stands; the log says why Bappeda was not told
        log.exception("kabar persetujuan tidak disusun")
        return []


def persetujuan_bappeda(batas_jam: float, wait_for_all: bool) -> PersetujuanBappeda:
    # the form's field, passed here so Airflow merges it with the DAG's run parameters, which the form leaves out
    return PersetujuanBappeda(batas_jam=batas_jam, wait_for_all=wait_for_all, params=APPROVAL_PARAMS)


@task(owner=KOMINFO, task_id=CLOSE_TASK)
def periksa_penutupan() -> Penutupan:
    """The yearly run's first task: this run closes the year the first time, or is a correction run with its reason.

    Otherwise it fails at once, without retries (``AirflowFailException``), with the reason and what to do in its
    log; everything after it is ``upstream_failed``, so nothing is gated, recomputed, asked or published twice.
    """
    from airflow.sdk.exceptions import AirflowFailException

    from desa_cantik.cycle.persetujuan import PenutupanDitolak, check_close, closing_text

    ctx = get_current_context()
    params = ctx["params"]
    try:
        p = check_close(runtime(), ctx["run_id"], bool(params.get(KOREKSI)), str(params.get(ALASAN_KOREKSI) or ""))
    except PenutupanDitolak as exc:
        log.error("%s", exc)
        raise AirflowFailException(str(exc)) from None
    log.info("%s", closing_text(p))
    return p


def _penutupan() -> Penutupan | None:
    """What ``periksa_penutupan`` handed on (None when a run has no such task, e.g. a run older than it)."""
    found: Penutupan | None = get_current_context()["ti"].xcom_pull(task_ids=CLOSE_TASK)
    diterima(found, PENUTUPAN, CLOSE_TASK)
    return found


def _keputusan() -> Keputusan | None:
    ti = get_current_context()["ti"]
    found: Keputusan | None = ti.xcom_pull(task_ids=TASK_ID, key=XCOM_KEY)
    diterima(found, KEPUTUSAN, TASK_ID)
    return found


def wajib_disetujui() -> Keputusan:
    """Called first by ``susun_paket``: no Bappeda approval in this run, no publication (and it says why)."""
    from desa_cantik.cycle.persetujuan import DISETUJUI, decision_text, record_decision

    k = _keputusan()
    if k is None:
        raise AirflowSkipException(f"tanpa persetujuan Bappeda: {TASK_ID} tidak memberi keputusan (dilewati, mis. "
                                   "menunggu paket wilayah bawahan, lihat lognya; atau ditandai berhasil tanpa jawaban); "
                                   "paket tidak diterbitkan")
    if k["keputusan"] != DISETUJUI:
        raise AirflowSkipException(decision_text(k))
    print(f"{decision_text(k)} Dicatat di {record_decision(runtime(), k)}")
    return k


@task(owner=BAPPEDA, task_id=REJECT_TASK)
def catat_penolakan() -> Keputusan:
    """Runs only when Bappeda rejected (or the time ran out): the reason, who and when, kept and logged."""
    from desa_cantik.cycle.persetujuan import DISETUJUI, decision_text, record_decision

    k = _keputusan()
    if k is None or k["keputusan"] == DISETUJUI:
        raise AirflowSkipException("tidak ada penolakan dalam run ini")
    where = record_decision(runtime(), k)
    print(f"{decision_text(k)}\nPaket tidak diterbitkan. Keputusan dicatat di {where}")
    return k
