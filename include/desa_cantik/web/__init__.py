"""The monitoring and operator pages (Pantau siklus, Temuan, Indikator, Paket, reports, Data Docs, Kirim data).

Shaped like Airflow's own provider plugins: ``app.create_app`` builds the FastAPI app, one router per page
(``routes/``), typed dependencies (``auth``), rendering (``render``), view models (``views``). The plugin
file ``plugins/desa_cantik_halaman.py`` only registers the app. The one place under ``include/`` that may
import FastAPI, Starlette and Airflow (Airflow lazily, inside functions: the domain never loads it).
"""

PREFIX = "/desa-cantik"  # where the plugin mounts the app under Airflow's api-server
# our pages' own nav, in order (web.auth.Akses.menu keeps the ones a user may open; Kirim data is last, so a
# user who may open a monitoring page lands there and an operator, who may open nothing else, on Kirim data)
MENU = ("pantau", "temuan", "indikator", "paket", "kabar", "kirim")
