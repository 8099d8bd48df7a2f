"""Bappeda's approval before the package is published: a human-in-the-loop step and its two outcomes.

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

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow.providers.standard.operators.hitl import HITLBranchOperator
from airflow.sdk import Param, get_current_context, task
from airflow.sdk.exceptions import AirflowSkipException

from common.pillars import BAPPEDA, runtime
from desa_cantik.cycle.persetujuan import SETUJUI, TOLAK

if TYPE_CHECKING:
    from airflow.sdk import Context

    from desa_cantik.cycle.persetujuan import Keputusan

TASK_ID = "persetujuan_bappeda"
XCOM_KEY = "keputusan"
PUBLISH_TASK = "susun_paket"
REJECT_TASK = "catat_penolakan"


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
            params={"alasan": Param("", type="string", title="Alasan / catatan",
                                    description="Wajib diisi bila memilih Tolak; catatan bila Setujui.")},
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

        rt = runtime()
        sent = rt.tier.deliveries(rt)
        if self.wait_for_all and len(sent) and not sent["terkirim"].all():
            belum = ", ".join(sent.loc[~sent["terkirim"], "kode_wilayah"])
            raise AirflowSkipException(f"menunggu paket dari: {belum}; persetujuan diminta setelah semua mengirim")
        summary = approval_summary(rt)
        self.subject = f"Persetujuan Bappeda: terbitkan paket Desa Cantik {summary['tahun']} {summary['nama_wilayah']}?"
        self.body = approval_markdown(summary, self.batas_jam)
        self.log.info("Meminta persetujuan Bappeda (batas %s jam):\n%s", f"{self.batas_jam:g}", self.body)
        return super().execute(context)

    def execute_complete(self, context: Context, event: dict[str, Any]) -> Any:  # Airflow's trigger event (JSON)
        from desa_cantik.cycle.persetujuan import decision_from_event, decision_text, rejected_without_reason

        if "error" not in event and rejected_without_reason(event):
            return self._ask_again(context)
        if "error" not in event:
            keputusan = decision_from_event(event, context["run_id"])
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
        raise TaskAwaitingInput(method_name="execute_complete", timeout=self.response_timeout)


def persetujuan_bappeda(batas_jam: float, wait_for_all: bool) -> PersetujuanBappeda:
    return PersetujuanBappeda(batas_jam=batas_jam, wait_for_all=wait_for_all)


def _keputusan() -> Keputusan | None:
    ti = get_current_context()["ti"]
    found: Keputusan | None = ti.xcom_pull(task_ids=TASK_ID, key=XCOM_KEY)
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
