.PHONY: install demo ui stack stack-down backup restore migrate verify test test-fast lint bench bench-stack bench-kirim-ramai bench-cadangan clean

install:
	bash scripts/bootstrap.sh

demo: install  ## whole cycle through Airflow for Kabupaten Malang on generated data (no servers)
	bash scripts/demo.sh

ui: install  ## Airflow UI on the demo deployment
	bash scripts/ui.sh

stack: install  ## the deployment natively on loopback: PostgreSQL, Redis, S3 (moto), api-server, scheduler, dag-processor, triggerer, 2 Celery workers
	bash scripts/stack.sh up

stack-down:  ## stop what make stack started (data kept in .stack/, the S3 server's objects included)
	bash scripts/stack.sh down

backup: install  ## back up the stack: both databases (pg_dump), every object (sha256), keys, secrets -> cadangan/<time> or CADANGAN=
	bash scripts/cadangan.sh buat $(CADANGAN)

restore: install  ## restore CADANGAN=folder into a fresh stack (TIMPA=ya: over one that holds data), then start it
	TIMPA=$(TIMPA) bash scripts/cadangan.sh pulihkan $(CADANGAN)

migrate: install  ## upgrading, with the stack stopped: the warehouse's schema, then Airflow's (README: Upgrade)
	bash scripts/stack.sh migrasi

verify: install  ## after an upgrade: both schemas at this release, and (CADANGAN=) nothing lost since that backup
	bash scripts/stack.sh cek $(CADANGAN)

test: install  ## everything: unit, DAG policy, suites, PostgreSQL + S3 integration, end-to-end through Airflow
	bash scripts/test.sh

test-fast: install
	.venv/bin/python -m pytest -q -m "not integration and not airflow and not mutation"

lint: install
	.venv/bin/ruff check include dags plugins tests benchmarks scripts
	.venv/bin/mypy

bench: install  ## hot paths, then the cycle at scale (targets decide the exit code; see benchmarks/README.md)
	.venv/bin/python benchmarks/bench_gate.py
	.venv/bin/python benchmarks/bench_scale.py --wilayah 35.07.01 --wilayah 35.07 --wilayah 11.08 --wilayah 35
	.venv/bin/python benchmarks/bench_pusat.py
	.venv/bin/python benchmarks/bench_pages.py
	.venv/bin/python benchmarks/bench_kirim.py
	.venv/bin/python benchmarks/bench_hourly.py

bench-stack: install  ## scale-out: the Malang cycle on make stack with 1 vs 2 Celery workers (~15 min)
	.venv/bin/python benchmarks/bench_stack.py

bench-cadangan: install  ## backup and restore of Malang's year on make stack: how long, how big (~8 min)
	.venv/bin/python benchmarks/bench_cadangan.py

bench-kirim-ramai: install  ## Kirim data under a crowd: 20 operators uploading at once, readers on the pages (~2.5 min)
	.venv/bin/python benchmarks/bench_kirim_ramai.py

clean:
	rm -rf .demo .venv build *.egg-info
