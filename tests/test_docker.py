"""docker/ comes up whole, checked statically (no Docker engine on the build machine).

The compose file is parsed as `docker compose config` would resolve it (anchors, merge keys,
``${VAR:-default}``) and held to the deployment's rules: pinned images, every secret from .env, the same
Airflow secrets everywhere, CeleryExecutor on Redis, healthchecks, init ordering, a shared logs volume, the
Daftar Data and keys mounted (not baked), and a production image without test tools. What the compose
commands run must exist in the project.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

DOCKER = ROOT / "docker"
APP_IMAGE = "desa-cantik"  # the image docker/Dockerfile builds: every Airflow and init service runs it
INIT = {"migrasi-gudang", "airflow-init", "keygen", "kebijakan", "minio-init"}
AIRFLOW_SECRETS = ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API__SECRET_KEY")
TEST_TOOLS = ("pytest", "hypothesis", "moto", "ruff", "mypy", "playwright")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|BASIC_AUTH|REDISCLI_AUTH")
VAR = re.compile(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")
MARKER = "# tests and checks"

Service = dict[str, Any]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DOCKER / "docker-compose.yml").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Service]:
    out: dict[str, Service] = compose["services"]
    return out


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (DOCKER / "Dockerfile").read_text(encoding="utf-8")


def resolve(text: str) -> str:
    """``${VAR:-default}`` -> default; a required ``${VAR}`` / ``${VAR:?msg}`` stays a reference."""
    return VAR.sub(lambda m: m["arg"] if m["op"] in (":-", "-") else f"${{{m['name']}}}", text)


def no_literal(value: str) -> bool:
    """Exactly one .env variable, required (``${X}``, ``${X:?msg}``) or optional with an empty default."""
    m = VAR.fullmatch(value.strip())
    return m is not None and (m["op"] not in (":-", "-") or m["arg"] == "")


def app_services(services: dict[str, Service]) -> dict[str, Service]:
    return {n: s for n, s in services.items() if resolve(str(s.get("image", ""))).startswith(APP_IMAGE + ":")}


def long_running(services: dict[str, Service]) -> dict[str, Service]:
    """The Airflow components: the project's image, not a one-shot init service."""
    return {n: s for n, s in app_services(services).items() if n not in INIT}


def command_text(service: Service) -> str:
    cmd = service.get("command", "")
    return " ".join(cmd) if isinstance(cmd, list) else str(cmd)


def depends(service: Service) -> dict[str, str]:
    dep = service.get("depends_on") or {}
    if isinstance(dep, list):
        return dict.fromkeys(dep, "service_started")
    return {name: (cond or {}).get("condition", "service_started") for name, cond in dep.items()}


def mounts(service: Service) -> dict[str, tuple[str, str]]:
    """Container path -> (source, mode) of every short-syntax volume."""
    out = {}
    for v in service.get("volumes", []):
        parts = str(v).split(":")
        out[parts[1]] = (parts[0], parts[2] if len(parts) > 2 else "rw")
    return out


def env_example() -> dict[str, str]:
    out = {}
    for line in (DOCKER / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = re.sub(r"\s+#.*$", "", value).strip()  # compose: " # ..." ends an unquoted value
    return out


def strings(node: Any) -> Iterator[tuple[str, str]]:
    """(key, value) of every string in a service, keys of mappings kept (list items: key "")."""
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str):
                yield str(k), v
            else:
                yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from (("", v),) if isinstance(v, str) else strings(v)


# --- the compose file ----------------------------------------------------------------------------------------


def test_the_services_of_a_tier(services: dict[str, Service]) -> None:
    assert {"postgres", "redis", "minio", "migrasi-gudang", "airflow-init", "keygen", "kebijakan", "minio-init", "api-server",
            "scheduler", "dag-processor", "triggerer", "worker", "worker-gerbang", "flower"} <= set(services)
    assert services["flower"].get("profiles") == ["flower"], "Flower is optional: behind a profile"
    env = services["scheduler"]["environment"]
    for key in ("DESA_CANTIK_GUDANG", "DESA_CANTIK_OBJEK", "DESA_CANTIK_WILAYAH", "DESA_CANTIK_TINGKAT",
                "DESA_CANTIK_KUNCI", "DESA_CANTIK_DAFTAR_DATA", "DESA_CANTIK_PERAN"):
        assert key in env, key
    assert (DOCKER / "initdb" / "10-gudang.sh").exists()


def test_every_image_is_pinned(services: dict[str, Service], dockerfile: str) -> None:
    for name, s in services.items():
        image = resolve(str(s.get("image", "")))
        assert image, f"{name}: no image name (a build must be tagged too)"
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        assert tag and tag != "latest" and re.search(r"\d", tag), f"{name}: image {image} not pinned to a version"
    froms = re.findall(r"^FROM\s+(\S+)", dockerfile, re.M)
    args = dict(re.findall(r"^ARG\s+(\w+)=(\S+)", dockerfile, re.M))
    for ref in froms:
        image = args.get(ref.strip("${}"), ref)
        tag = image.partition(":")[2]
        assert tag and tag != "latest" and re.search(r"\d", tag), image
    airflow = re.search(r"^apache-airflow==(\S+)", (ROOT / "requirements.txt").read_text(), re.M)
    assert airflow and all(f"apache/airflow:{airflow[1]}-" in args.get(r.strip("${}"), r) for r in froms), \
        "the base image's Airflow is the version requirements.txt pins"


def test_every_secret_comes_from_env(services: dict[str, Service]) -> None:
    for name, s in services.items():
        for key, value in strings(s):
            if SECRET_NAME.search(key):
                assert no_literal(value), f"{name}.{key}: a literal secret (or one with a default)"
            for url in re.findall(r"\w[\w+.-]*://[^\s\"']+", value):
                userinfo = url.split("://", 1)[1].rpartition("@")[0]
                if ":" in userinfo:
                    assert no_literal(userinfo.split(":", 1)[1]), f"{name}: literal password in {url}"
        assert "env_file" not in s, f"{name}: env_file hands every .env secret to the container; name each one"
    for name, s in long_running(services).items():
        assert not any(k.startswith("MINIO_ROOT") for k in s["environment"]), f"{name} must not see MinIO's root"
        assert "${MINIO_ROOT" not in s["environment"]["DESA_CANTIK_OBJEK"]


def test_env_example_names_every_variable_and_holds_no_secret(compose: dict[str, Any]) -> None:
    example = env_example()
    text = (DOCKER / "docker-compose.yml").read_text(encoding="utf-8")
    required = {m["name"] for m in VAR.finditer(text) if m["op"] in (None, ":?", "?")}
    assert required <= set(example), f"missing in .env.example: {sorted(required - set(example))}"
    for key, value in example.items():
        if SECRET_NAME.search(key):
            assert value == "", f".env.example must not ship a secret: {key}"
    assert compose["services"]["minio"]["environment"]["MINIO_ROOT_USER"].startswith("${MINIO_ROOT_USER")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed: buat-env.sh needs it")
def test_generated_env_fills_every_required_variable(tmp_path: Path) -> None:
    for f in (".env.example", "buat-env.sh"):
        shutil.copy(DOCKER / f, tmp_path / f)
    subprocess.run(["bash", str(tmp_path / "buat-env.sh")], check=True, capture_output=True)
    env = tmp_path / ".env"
    assert env.stat().st_mode & 0o077 == 0, ".env must be readable by its owner only"
    values = dict(line.split("=", 1) for line in env.read_text().splitlines() if line and not line.startswith("#"))
    text = (DOCKER / "docker-compose.yml").read_text(encoding="utf-8")
    for m in VAR.finditer(text):
        if m["op"] in (None, ":?", "?"):
            assert values.get(m["name"], "").split(" #")[0].strip(), f"buat-env.sh leaves {m['name']} empty"
    fernet = values["AIRFLOW_FERNET_KEY"].strip()
    from cryptography.fernet import Fernet

    Fernet(fernet.encode())  # a valid Fernet key
    again = subprocess.run(["bash", str(tmp_path / "buat-env.sh")], capture_output=True)
    assert again.returncode != 0, "an existing .env (and its secrets) is never overwritten"


def test_airflow_services_share_the_same_secrets(services: dict[str, Service]) -> None:
    apps = app_services(services)
    assert set(long_running(services)) >= {"api-server", "scheduler", "dag-processor", "triggerer", "worker"}
    for key in AIRFLOW_SECRETS:
        values = {n: s["environment"].get(key) for n, s in apps.items()}
        assert len(set(values.values())) == 1 and None not in values.values(), f"{key} differs: {values}"
        assert VAR.fullmatch(next(iter(values.values())))
    for s in apps.values():
        env = s["environment"]
        assert env["AIRFLOW__CORE__AUTH_MANAGER"] == "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://api-server:8080/execution/"


def test_airflow_services_read_the_repos_web_config(services: dict[str, Service]) -> None:
    """FAB's web config (login limits) is config/webserver_config.py, mounted with config/, as in every deployment."""
    container = "/opt/desa-cantik/config"
    for name, s in app_services(services).items():
        env = s["environment"]
        assert env["AIRFLOW__FAB__CONFIG_FILE"] == f"{container}/webserver_config.py", name
        mounts = [str(v).split(":") for v in s.get("volumes", [])]
        host = [m[0] for m in mounts if len(m) > 1 and m[1] == container]
        assert host and (DOCKER / host[0]).resolve() == ROOT / "config", f"{name}: ../config not mounted"
        assert no_literal(env["DESA_CANTIK_PROXY_TEPERCAYA"]), f"{name}: the trusted proxies come from .env"
    assert (ROOT / "config" / "webserver_config.py").is_file()
    api = services["api-server"]
    assert re.fullmatch(r"redis://:\$\{REDIS_PASSWORD[^}]*\}@redis:6379/\d+",
                        api["environment"]["DESA_CANTIK_BATAS_MASUK_PENYIMPANAN"]), "login counts shared in Redis"
    # uvicorn's own --proxy-headers would believe X-Forwarded-For from FORWARDED_ALLOW_IPS, not our list
    assert "--proxy-headers" not in command_text(api)


def test_celery_executor_with_redis_broker_and_postgres_results(services: dict[str, Service]) -> None:
    for name, s in app_services(services).items():
        env = s["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert re.fullmatch(r"redis://:\$\{REDIS_PASSWORD[^}]*\}@redis:6379/\d+", env["AIRFLOW__CELERY__BROKER_URL"])
        assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://")
        assert env["AIRFLOW__CELERY__RESULT_BACKEND"].endswith("@postgres:5432/airflow")
    assert "--requirepass" in command_text(services["redis"])
    assert re.search(r"^apache-airflow-providers-celery==", (ROOT / "requirements.txt").read_text(), re.M)


def test_every_long_running_service_has_a_healthcheck(services: dict[str, Service]) -> None:
    expected = {"api-server": "/api/v2/monitor/health", "scheduler": "--job-type SchedulerJob",
                "dag-processor": "--job-type DagProcessorJob", "triggerer": "--job-type TriggererJob"}
    for name, s in long_running(services).items():
        test = s.get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name}: no healthcheck"
        text = " ".join(test[1:])
        if "celery worker" in command_text(s):
            assert "inspect ping" in text, name
            hostname = re.search(r"--celery-hostname\s+(\S+)@%h", command_text(s))
            assert hostname and f"{hostname[1]}@$${{HOSTNAME}}" in text, f"{name}: ping its own worker"
        elif name in expected:
            assert expected[name] in text, name
    for name in ("postgres", "redis", "minio"):
        assert services[name].get("healthcheck", {}).get("test"), name


def test_nothing_starts_before_the_init_services(services: dict[str, Service]) -> None:
    for name, s in long_running(services).items():
        dep = depends(s)
        for init in ("migrasi-gudang", "airflow-init", "keygen", "minio-init"):
            assert dep.get(init) == "service_completed_successfully", f"{name} must wait for {init}"
    for name in INIT:
        assert services[name].get("restart") == "no", f"{name} is one-shot"
        assert "healthcheck" not in services[name]
    assert depends(services["minio-init"]) == {"minio": "service_healthy", "kebijakan": "service_completed_successfully"}
    assert depends(services["airflow-init"]).get("postgres") == "service_healthy"
    # the warehouse's schema is migrated once, before any task or page (which only check its revision)
    assert command_text(services["migrasi-gudang"]) == "python -m desa_cantik migrasi"
    assert depends(services["migrasi-gudang"]) == {"postgres": "service_healthy"}
    for w in ("worker", "worker-gerbang"):
        assert depends(services[w]).get("api-server") == "service_healthy", "workers call the execution API"
    for name, s in services.items():  # a service_healthy dependency needs a healthcheck, the graph no cycle
        for other, cond in depends(s).items():
            assert other in services, f"{name} depends on unknown {other}"
            if cond == "service_healthy":
                assert services[other].get("healthcheck"), f"{name} waits for {other} to be healthy: it has no healthcheck"
    done: set[str] = set()
    pending = dict(services)
    while pending:
        ready = [n for n, s in pending.items() if set(depends(s)) <= done]
        assert ready, f"dependency cycle among {sorted(pending)}"
        done.update(ready)
        for n in ready:
            del pending[n]


def test_logs_volume_in_every_airflow_service(compose: dict[str, Any], services: dict[str, Service]) -> None:
    sources = set()
    for name, s in app_services(services).items():
        m = mounts(s)
        assert "/opt/airflow/logs" in m, f"{name}: no logs volume"
        sources.add(m["/opt/airflow/logs"][0])
    assert len(sources) == 1 and sources <= set(compose["volumes"]), f"one named logs volume for all: {sources}"


def test_daftar_data_and_keys_are_mounted_not_baked(services: dict[str, Service], dockerfile: str) -> None:
    for name, s in app_services(services).items():
        m = mounts(s)
        assert m.get("/opt/desa-cantik/config") == ("../config", "ro"), f"{name}: ../config mounted read-only"
        assert s["environment"]["DESA_CANTIK_DAFTAR_DATA"].startswith("/opt/desa-cantik/config/")
        if name in long_running(services):
            assert m.get("/opt/desa-cantik/kunci") == ("kunci", "ro"), name
            assert m.get("/opt/desa-cantik/kunci/kunci_publik", ("", ""))[1] == "ro", name
            assert s["environment"]["DESA_CANTIK_KUNCI"] == "/opt/desa-cantik/kunci"
    writers = [n for n, s in services.items() if mounts(s).get("/opt/desa-cantik/kunci", ("", "ro"))[1] != "ro"]
    assert writers == ["keygen"], "only keygen writes the signing key"
    assert command_text(services["keygen"]) == "python -m desa_cantik keygen"
    for line in dockerfile.splitlines():
        if re.match(r"\s*(COPY|ADD)\s", line):
            sources = [w for w in line.split()[1:-1] if not w.startswith("--")]
            for src in sources:
                assert not re.match(r"(\./)?(config|kunci|keys?|docker/\.env|\.env)(/|$)", src), f"baked: {line}"
                assert not src.endswith((".key", ".pem")), f"a key baked into the image: {line}"


def test_production_image_has_no_test_tools(dockerfile: str) -> None:
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert MARKER in requirements, "requirements.txt must keep its '# tests and checks' line (the Dockerfile cuts there)"
    production, _, tests = requirements.partition(MARKER)

    def names(text: str) -> set[str]:
        return {re.split(r"[=<>\[ ;#]", ln.strip())[0].lower() for ln in text.splitlines()
                if ln.strip() and not ln.lstrip().startswith("#")}

    assert not names(production) & set(TEST_TOOLS), "a test tool above the marker would go into production"
    assert set(TEST_TOOLS) <= names(tests), "the test tools are listed (below the marker)"
    assert f"sed '/^{MARKER}/,$d' requirements.txt > requirements-prod.txt" in dockerfile
    for cmd in re.findall(r"pip install[^\n&]*", dockerfile):
        assert "requirements.txt" not in cmd, f"installs the full requirements (with test tools): {cmd}"
        assert not any(re.search(rf"\b{t}\b", cmd) for t in TEST_TOOLS), cmd
    assert "-r requirements-prod.txt" in dockerfile


def test_dockerfile_copies_only_what_exists() -> None:
    for line in (DOCKER / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            for src in [w for w in line.split()[1:-1] if not w.startswith("--")]:
                assert (ROOT / src).exists(), src


# --- what the commands run exists --------------------------------------------------------------------------


def _container_to_repo(dockerfile: str) -> dict[str, Path]:
    """Container path -> project path of what the Dockerfile copies (a folder maps its whole tree)."""
    out = {}
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            words = [w for w in line.split()[1:] if not w.startswith("--")]
            *srcs, dest = words
            for src in srcs:
                out[dest.rstrip("/") + ("/" + Path(src).name if dest.endswith("/") else "")] = ROOT / src
    return out


def _repo_path(container: str, copied: dict[str, Path]) -> Path | None:
    for dest, src in sorted(copied.items(), key=lambda kv: -len(kv[0])):
        if container == dest or container.startswith(dest + "/"):
            return src / container[len(dest):].lstrip("/") if container != dest else src
    return None


def test_every_script_and_module_the_commands_run_exists(services: dict[str, Service], dockerfile: str) -> None:
    copied = _container_to_repo(dockerfile)
    scripts: list[Path] = []
    for name, s in app_services(services).items():
        cmd = command_text(s)
        for path in re.findall(r"(/opt/desa-cantik/\S+\.(?:sh|py))", cmd):
            repo = _repo_path(path, copied)
            assert repo is not None and repo.is_file(), f"{name}: {path} is not in the image"
            scripts.append(repo)
    for m in mounts(services["minio-init"]).items():
        if m[1][0].startswith("./"):
            assert (DOCKER / m[1][0]).is_dir()
    minio_script = re.search(r"/init/(\S+)", command_text(services["minio-init"]) + " ".join(
        services["minio-init"].get("entrypoint", [])))
    assert minio_script and (DOCKER / "minio" / minio_script[1]).is_file()
    for ref in re.findall(r"/init/(\w+\.json)", (DOCKER / "minio" / minio_script[1]).read_text()):
        assert (DOCKER / "minio" / ref).is_file(), ref
    texts = [command_text(s) for s in app_services(services).values()] + [p.read_text() for p in scripts]
    from desa_cantik.cli import _parser

    subcommands = set(next(a for a in _parser()._actions if a.dest == "cmd").choices)  # type: ignore[arg-type]
    run_scripts: set[Path] = set()
    for text in texts:
        for sub in re.findall(r"python -m desa_cantik (\w+)", text):
            assert sub in subcommands, f"python -m desa_cantik {sub}: no such command"
        for path in re.findall(r"python (/opt/desa-cantik/\S+\.py)", text):
            repo = _repo_path(path, copied)
            assert repo is not None, f"{path} is not copied into the image"
            assert repo.is_file(), path
            run_scripts.add(repo)
    # the roles sync (config/peran.yaml into FAB) is run by airflow-init, from the image's copy of the script
    assert ROOT / "scripts" / "peran.py" in run_scripts, "no service runs scripts/peran.py (roles sync)"
    assert importlib.util.find_spec("desa_cantik") is not None


def test_init_scripts_parse() -> None:
    for script in [*sorted((DOCKER / "init").glob("*.sh")), DOCKER / "initdb" / "10-gudang.sh", DOCKER / "buat-env.sh"]:
        subprocess.run(["bash", "-n", str(script)], check=True)
    subprocess.run(["sh", "-n", str(DOCKER / "minio" / "init.sh")], check=True)


# --- Celery queues -----------------------------------------------------------------------------------------


def _served_queues(services: dict[str, Service]) -> dict[str, set[str]]:
    out = {}
    for name, s in services.items():
        cmd = command_text(s)
        if "celery worker" in cmd:
            q = re.search(r"--queues\s+(\S+)", resolve(cmd))
            assert q, f"{name}: say which queues it serves"
            out[name] = set(q[1].split(","))
    return out


def test_every_queue_a_task_names_has_a_worker(services: dict[str, Service]) -> None:
    served = set().union(*_served_queues(services).values())
    default = {s["environment"]["AIRFLOW__OPERATORS__DEFAULT_QUEUE"] for s in app_services(services).values()}
    assert default == {"default"} and "default" in served and "gerbang" in served
    for dag_file in (ROOT / "dags").rglob("*.py"):
        for queue in re.findall(r"\bqueue\s*=\s*[\"'](\w+)[\"']", dag_file.read_text(encoding="utf-8")):
            assert queue in served, f"{dag_file.name}: queue {queue!r} has no worker in docker-compose.yml"
    for name, s in services.items():
        if "celery worker" in command_text(s):
            assert s["environment"].get("DUMB_INIT_SETSID") == "0", f"{name}: warm shutdown lets tasks finish"


# --- MinIO: the application's least privilege, the senders' write-only policies ----------------------------


def test_application_policy_is_least_privilege() -> None:
    policy = json.loads((DOCKER / "minio" / "aplikasi.json").read_text())
    actions = {a for st in policy["Statement"] for a in st["Action"]}
    resources = {r for st in policy["Statement"] for r in st["Resource"]}
    assert all(st["Effect"] == "Allow" for st in policy["Statement"])
    assert resources == {"arn:aws:s3:::desa-cantik", "arn:aws:s3:::desa-cantik/*"}, "this bucket only"
    assert not any("*" in a or "Delete" in a or a.startswith("admin:") or "Policy" in a or "CreateBucket" in a
                   for a in actions), sorted(actions)
    assert {"s3:GetObject", "s3:PutObject", "s3:ListBucket"} <= actions


def test_minio_ports_and_bucket(services: dict[str, Service]) -> None:
    assert not services["postgres"].get("ports") and not services["redis"].get("ports"), "databases stay internal"
    console = [p for p in services["minio"]["ports"] if str(p).endswith(":9001")]
    assert console == ["127.0.0.1:9001:9001"], "the MinIO console on this machine only"
    script = (DOCKER / "minio" / "init.sh").read_text()
    bucket = re.search(r"^BUCKET=(\S+)", script, re.M)
    assert bucket and f"@minio:9000/{bucket[1]}?" in services["scheduler"]["environment"]["DESA_CANTIK_OBJEK"]
    assert f"--bucket {bucket[1]}" in (DOCKER / "init" / "kebijakan.sh").read_text()


def _load_kebijakan_paket() -> Any:
    spec = importlib.util.spec_from_file_location("kebijakan_paket", DOCKER / "init" / "kebijakan_paket.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_upper_tier_policies_let_each_child_write_its_own_package_folder(tmp_path: Path) -> None:
    from desa_cantik.config import DaftarData, Settings

    mod = _load_kebijakan_paket()
    settings = Settings.from_env({"DESA_CANTIK_TINGKAT": "provinsi", "DESA_CANTIK_WILAYAH": "35",
                                  "DESA_CANTIK_HOME": str(tmp_path)})
    tahun = DaftarData.load(settings.daftar_data).tahun
    assert mod.write_package_policies(settings, tahun, "desa-cantik", tmp_path / "k") == 38
    doc = json.loads((tmp_path / "k" / "kirim-paket-35-07.json").read_text())
    assert doc["Statement"] == [{"Sid": "KirimPaketKeKotakMasukSendiri", "Effect": "Allow", "Action": ["s3:PutObject"],
                                 "Resource": [f"arn:aws:s3:::desa-cantik/masuk/{tahun}/paket/35.07/*"]}]
    assert (tmp_path / "k" / "pengirim.csv").read_text().splitlines()[0] == "kode,jenis,dataset,kebijakan"
    centre = Settings.from_env({"DESA_CANTIK_TINGKAT": "pusat", "DESA_CANTIK_HOME": str(tmp_path)})
    assert mod.write_package_policies(centre, tahun, "desa-cantik", tmp_path / "p") == 38
    assert (tmp_path / "p" / "kirim-paket-35.json").exists()
    with pytest.raises(SystemExit):
        mod.write_package_policies(Settings.from_env({"DESA_CANTIK_HOME": str(tmp_path)}), tahun, "b", tmp_path / "x")


def test_build_context_sends_only_what_the_image_needs(dockerfile: str) -> None:
    """docker/Dockerfile.dockerignore: deny everything, allow exactly what the Dockerfile copies."""
    lines = [ln.strip() for ln in (DOCKER / "Dockerfile.dockerignore").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert lines[0] == "*", "deny by default: a secret added later never reaches the builder"
    allowed = {ln[1:].rstrip("/") for ln in lines if ln.startswith("!")}
    copied = {src.rstrip("/") for line in dockerfile.splitlines() if line.startswith("COPY ")
              for src in [w for w in line.split()[1:-1] if not w.startswith("--")]}
    assert copied == allowed, f"copied {sorted(copied)} vs allowed {sorted(allowed)}"
    assert not {a for a in allowed if re.match(r"(config|docker/\.env|docker/pengguna|docker/kunci|\.venv|tests)", a)}
