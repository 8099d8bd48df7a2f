"""Backup and restore of a tier (``python -m desa_cantik cadangan``; ``make backup`` / ``make restore``).

- ``langkah``   the steps: ``buat`` (back up), ``periksa`` (check a backup), ``pulihkan`` (restore into a fresh
  deployment), ``banding`` (after an upgrade: nothing lost since the backup)
- ``basis_data``   ``pg_dump``/``pg_restore`` of the warehouse and Airflow's metadata, and their facts (rows per
  table, the warehouse's fingerprint) read in the dump's own snapshot
- ``objek``   every object by its sha256, with the list of keys; put back and read back; arrival times kept
- ``manifes``   ``cadangan.json``, ``SHA256SUMS``, the tier's keys
- ``perintah``   the command line
"""
