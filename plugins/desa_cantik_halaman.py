"""Airflow plugin: the Desa Cantik monitoring pages inside the Airflow UI (Pantau siklus, Temuan, Indikator,
Paket), the operators' Kirim data, and the files behind them (operator reports, GX Data Docs), in Indonesian.

Registration only, as Airflow's own provider plugins do: the app comes from ``desa_cantik.web.app``'s
factory (its routers, typed dependencies and view models live there); this file mounts it under
``/desa-cantik``, lists the monitoring pages in Airflow's navigation and sends operators from Airflow's home
to Kirim data. Who may see what is Airflow's own business
(``desa_cantik.web.auth``). Importing this file loads no pandas, warehouse or region list.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from desa_cantik.web import PREFIX
from desa_cantik.web.app import TITLE, create_app
from desa_cantik.web.beranda import Beranda

app = create_app()
# Airflow's nav lists an entry to every user who may read Plugins, whatever their pages: only pillar staff read
# Plugins (config/peran.yaml), and each of them may open these four. Kirim data is not here: operators land on
# it (web.beranda) and have no Airflow nav of their own; pillar staff are not offered a page that refuses them.
# Kabar (the notifications' log) is Diskominfo's and the auditor's: BPS and Bappeda see its entry and get a refusal
PAGES = (("pantau", "Pantau"), ("temuan", "Temuan"), ("indikator", "Indikator"), ("paket", "Paket"), ("kabar", "Kabar"))


def _base_path() -> str:
    """The path Airflow is served under (``[api] base_url``), so the iframes point at our routes."""
    from urllib.parse import urlparse

    from airflow.configuration import conf

    return urlparse(conf.get("api", "base_url", fallback="") or "").path.rstrip("/")


def _external_views() -> list[dict[str, str | bool]]:
    """The pages at the top of Airflow's navigation (each rendered in an iframe under ``/plugin/{url_route}``).

    Airflow lists them to users who may read ``Plugins``; the page itself then asks the auth manager again.
    """
    base = _base_path() + PREFIX
    return [{"name": name, "href": f"{base}/{page}", "url_route": f"desa-cantik-{page}", "destination": "nav",
             "category": "Desa Cantik", "nav_top_level": True, "icon": f"{base}/static/halaman/ikon-{page}.svg"}
            for page, name in PAGES]


class DesaCantikHalamanPlugin(AirflowPlugin):
    name = "desa_cantik_halaman"
    fastapi_apps = [{"app": app, "url_prefix": PREFIX, "name": TITLE}]  # noqa: RUF012 - the form Airflow reads
    external_views = _external_views()
    # Airflow's home page and /kirim: an operator's first screen is Kirim data (web.beranda)
    fastapi_root_middlewares = [{"middleware": Beranda, "name": "desa_cantik_beranda"}]  # noqa: RUF012
