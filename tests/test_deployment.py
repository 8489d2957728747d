"""The deployment files: compose.yaml, Dockerfile, .dockerignore, deploy/. Docker need not run here.

compose.yaml is read with PyYAML (merge keys resolved) and its `${VAR}` interpolation is done by a small
interpolator below, so the environment each container would get can be fed to `Settings.from_env`.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from schemas.settings import Settings
from sohoa.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / "deploy" / ".env.example"
MAKE_TEST_KEY = ROOT / "deploy" / "make-test-key.sh"

INFRA = ("seaweedfs", "rabbitmq", "postgres")
SOHOA_SERVICES = ("worker", "web", "watch")
EXPECTED_COMMANDS = {
    "worker": ["sohoa", "worker", "--processes", "2", "--threads", "1"],
    "web": ["sohoa", "serve", "--host", "0.0.0.0", "--port", "8000"],
}
RUNTIME_PACKAGES = {
    "tesseract-ocr",
    "tesseract-ocr-vie",
    "tesseract-ocr-osd",
    "tesseract-ocr-script-viet",
    "poppler-utils",
    "qpdf",
    "libnss3-tools",
    "fonts-noto-core",
    "fonts-dejavu-core",
}
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
SECRETISH = re.compile(r"PASSWORD|PASS$|SECRET")

#: The names of every setting.
SETTINGS = {field.name for field in dataclasses.fields(Settings)}


# --- helpers -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


def env_example() -> dict[str, str]:
    """The uncommented VAR=value lines of deploy/.env.example, quotes removed."""
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        assert sep, f"not VAR=value: {line!r}"
        values[name.strip()] = value.strip().strip("\"'")
    return values


def filled_env() -> dict[str, str]:
    """.env.example with its empty values (the passwords) filled in, as an operator would."""
    return {name: value or f"test-{name.lower().replace('_', '-')}" for name, value in env_example().items()}


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}` and `$$`."""

    def one(match: re.Match[str]) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        present = name in env and (env[name] != "" or op in ("-", "?"))
        if op in (":?", "?") and not present:
            raise LookupError(f"{name}: {arg}")
        if op in (":-", "-") and not present:
            return arg
        return env.get(name, "")

    return INTERPOLATION.sub(one, value.replace("$$", "\0")).replace("\0", "$")


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def command(service: dict) -> list[str]:
    cmd = service.get("command")
    return shlex.split(cmd) if isinstance(cmd, str) else [str(part) for part in cmd or []]


def volume_sources(service: dict) -> list[tuple[str, str]]:
    """(source, target) of each mount, short or long syntax."""
    mounts = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            mounts.append((volume.get("source", ""), volume["target"]))
        else:
            parts = volume.split(":")
            mounts.append((parts[0], parts[1]) if len(parts) > 1 else ("", parts[0]))
    return mounts


def secret_targets(service: dict) -> dict[str, str]:
    """Secret name -> path inside the container (default /run/secrets/NAME)."""
    targets = {}
    for secret in service.get("secrets") or []:
        if isinstance(secret, str):
            targets[secret] = f"/run/secrets/{secret}"
        else:
            target = secret.get("target", secret["source"])
            targets[secret["source"]] = target if target.startswith("/") else f"/run/secrets/{target}"
    return targets


def published_ports(service: dict) -> list[tuple[str, int]]:
    """(published host port, container port) of each port mapping."""
    ports = []
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            ports.append((str(port.get("published", "")), int(port["target"])))
        else:
            parts = str(port).split("/")[0].split(":")
            ports.append((parts[-2] if len(parts) > 1 else "", int(parts[-1])))
    return ports


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    logical, current = [], ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and current):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        if current.strip():
            logical.append(current.strip())
        current = ""
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in logical]


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for instruction in dockerfile_instructions():
        if instruction[0] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def env_assignments(args: str) -> dict[str, str]:
    """`ENV A=1 B="x y"` (and the legacy `ENV A 1`)."""
    parts = shlex.split(args)
    if parts and "=" not in parts[0]:
        return {parts[0]: " ".join(parts[1:])}
    return dict(part.split("=", 1) for part in parts)


def apt_installed(stage: list[tuple[str, str]]) -> set[str]:
    packages: set[str] = set()
    for instruction, args in stage:
        if instruction != "RUN":
            continue
        for chunk in re.split(r"&&|;", args):
            words = chunk.split()
            if words[:2] == ["apt-get", "install"]:
                assert "--no-install-recommends" in words, f"install without --no-install-recommends: {chunk}"
                packages |= {word for word in words[2:] if not word.startswith("-")}
    return packages


# --- compose.yaml: structure ------------------------------------------------------------------------------


def test_compose_is_a_compose_spec_file_with_every_service(compose: dict, services: dict) -> None:
    assert "version" not in compose, "the Compose spec has no version: key"
    missing = {*INFRA, *SOHOA_SERVICES} - set(services)
    assert not missing, f"services missing from compose.yaml: {sorted(missing)}"
    assert services["rabbitmq"]["image"].startswith("rabbitmq:3-management")
    assert services["postgres"]["image"] == "postgres:16"


def test_the_object_store_is_seaweedfs_pinned_to_a_release_with_its_s3_gateway(services: dict) -> None:
    image = interpolate(services["seaweedfs"]["image"], filled_env())
    name, _, tag = image.rpartition(":")
    assert name == "chrislusf/seaweedfs", "SeaweedFS's official image"
    assert re.fullmatch(r"\d+\.\d+", tag), f"pin a release, not {tag!r}"
    seaweedfs = command(services["seaweedfs"])
    assert seaweedfs[0] == "server" and "-s3" in seaweedfs and "-s3.port=8333" in seaweedfs
    assert not published_ports(services["seaweedfs"]), "the S3 gateway stays inside the compose network"


def test_sohoa_services_run_the_image_built_here(services: dict) -> None:
    images = set()
    for name in SOHOA_SERVICES:
        build = services[name].get("build")
        context = build.get("context", ".") if isinstance(build, dict) else build
        assert context in (".", "./"), f"{name} must be built from this folder's Dockerfile, got build={build!r}"
        images.add(services[name].get("image"))
    assert len(images) == 1, f"worker, web and watch must share one image tag, got {images}"


def test_commands_are_the_cli_commands(services: dict) -> None:
    for name, expected in EXPECTED_COMMANDS.items():
        assert command(services[name]) == expected, name
    watch = services["watch"]
    cmd = command(watch)
    assert cmd[:2] == ["sohoa", "watch"] and len(cmd) >= 3
    assert cmd[2] in {target for _, target in volume_sources(watch)}, "the watched folder must be a mount"
    assert any(source.startswith("./hotfolder") for source, _ in volume_sources(watch))
    assert "hotfolder" in watch.get("profiles", []), "the hot folder is optional: profiles: [hotfolder]"
    for name in ("worker", "web"):
        assert not services[name].get("profiles"), f"{name} must start with a plain `docker compose up`"


@pytest.mark.parametrize("name", SOHOA_SERVICES)
def test_commands_parse_with_the_real_cli(services: dict, name: str) -> None:
    cmd = command(services[name])
    assert cmd[0] == "sohoa"
    parser = build_parser()
    subcommands = next(a for a in parser._actions if a.dest == "command").choices
    if cmd[1] not in subcommands:
        pytest.skip(f"`sohoa {cmd[1]}` is not in the CLI yet")
    try:
        args = parser.parse_args(cmd[1:])
    except SystemExit:
        pytest.fail(f"`{shlex.join(cmd)}` is rejected by sohoa's argument parser")
    assert args.command == cmd[1]


def test_workers_scale_out(services: dict) -> None:
    worker = services["worker"]
    assert int(worker["deploy"]["replicas"]) >= 2
    assert not published_ports(worker), "a published port would stop `--scale worker=N`"
    assert "container_name" not in worker, "a fixed container name would stop `--scale worker=N`"


def test_web_is_published_and_health_checked(services: dict) -> None:
    web = services["web"]
    port = int(command(web)[command(web).index("--port") + 1])
    assert ("8000", port) in published_ports(web), f"web ports {web.get('ports')} do not publish 8000:{port}"
    test = " ".join(map(str, web["healthcheck"]["test"]))
    assert f"127.0.0.1:{port}/healthz" in test or f"localhost:{port}/healthz" in test


def test_infrastructure_has_healthchecks(services: dict) -> None:
    checks = {name: " ".join(map(str, services[name]["healthcheck"]["test"])) for name in INFRA}
    assert "rabbitmq-diagnostics -q ping" in checks["rabbitmq"]
    assert "pg_isready" in checks["postgres"]
    assert "127.0.0.1:8333/healthz" in checks["seaweedfs"]


def test_depends_on_waits_for_healthy_services(services: dict) -> None:
    for name in SOHOA_SERVICES:
        depends = services[name].get("depends_on")
        assert isinstance(depends, dict), f"{name}: depends_on needs the long form with conditions"
        for infra in INFRA:
            assert depends.get(infra, {}).get("condition") == "service_healthy", f"{name} must wait for {infra}"
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        for target, spec in depends.items() if isinstance(depends, dict) else []:
            assert target in services, f"{name} depends on unknown service {target}"
            if spec.get("condition") == "service_healthy":
                check = services[target].get("healthcheck") or {}
                assert check.get("test") and not check.get("disable"), f"{target} has no healthcheck to wait for"


def test_every_named_volume_and_secret_is_declared(compose: dict, services: dict) -> None:
    declared_volumes = set(compose.get("volumes") or {})
    declared_secrets = compose.get("secrets") or {}
    used_volumes = set()
    for name, service in services.items():
        for source, target in volume_sources(service):
            assert target.startswith("/"), f"{name}: mount target {target!r} is not absolute"
            if source and not source.startswith((".", "/", "~", "$")):
                assert source in declared_volumes, f"{name} uses undeclared volume {source!r}"
                used_volumes.add(source)
        for secret in secret_targets(service):
            assert secret in declared_secrets, f"{name} uses undeclared secret {secret!r}"
    assert used_volumes == declared_volumes, f"declared but unused volumes: {declared_volumes - used_volumes}"
    data = {"seaweedfs": "/data", "postgres": "/var/lib/postgresql/data", "rabbitmq": "/var/lib/rabbitmq"}
    for infra, path in data.items():
        mounts = volume_sources(services[infra])
        assert any(t == path and s in declared_volumes for s, t in mounts), f"{infra} keeps {path} in no volume"
    for secret, spec in declared_secrets.items():
        assert set(spec) == {"file"}, f"secret {secret} must come from a file"


# --- compose.yaml: settings and secrets --------------------------------------------------------------------


def test_every_sohoa_variable_is_a_settings_field(services: dict) -> None:
    fields = SETTINGS
    used = set()
    for name, service in services.items():
        for key in environment(service):
            if key.startswith("SOHOA_"):
                assert key.removeprefix("SOHOA_").lower() in fields, f"{name}: {key} is not a setting (typo?)"
                used.add(key)
    assert {"SOHOA_BROKER_URL", "SOHOA_DATABASE_URL", "SOHOA_S3_ENDPOINT", "SOHOA_SIGN_PKCS12"} <= used
    referenced = {match.group(1) for match in INTERPOLATION.finditer(COMPOSE.read_text(encoding="utf-8"))}
    stray = sorted(name for name in referenced if name.startswith("SOHOA_"))
    assert not stray, f"compose interpolates {stray}: a SOHOA_ variable in .env that is not a setting breaks sohoa"


@pytest.mark.parametrize("name", SOHOA_SERVICES)
def test_container_environment_is_valid_settings(services: dict, name: str) -> None:
    service = services[name]
    env = {key: interpolate(value, filled_env()) for key, value in environment(service).items()}
    settings = Settings.from_env(env)
    broker, database = urlsplit(settings.broker_url or ""), urlsplit(settings.database_url or "")
    assert broker.scheme == "amqp" and broker.hostname == "rabbitmq" and broker.password
    assert database.scheme == "postgresql" and database.hostname == "postgres" and database.password
    assert settings.s3_endpoint == "seaweedfs:8333" and settings.s3_secure is False
    assert settings.s3_access_key and settings.s3_secret_key
    store_env = environment(services["seaweedfs"])  # SeaweedFS's admin identity, the pair sohoa signs with
    assert environment(service)["SOHOA_S3_ACCESS_KEY"] == store_env["AWS_ACCESS_KEY_ID"]
    assert environment(service)["SOHOA_S3_SECRET_KEY"] == store_env["AWS_SECRET_ACCESS_KEY"]
    assert settings.archive_retention_mode in ("GOVERNANCE", "COMPLIANCE") and settings.archive_retention_days > 0
    mounted = set(secret_targets(service).values())
    for path in (settings.sign_pkcs12, settings.sign_password_file, *settings.trust_roots):
        assert str(path) in mounted, f"{name}: {path} is not a secret mounted in the container"
    assert settings.sign_password is None, "the signing password belongs in a secret file"
    if name != "worker":
        assert settings.workers == 0, f"{name} must leave the processing to the workers"


def test_missing_passwords_stop_compose(services: dict) -> None:
    env = filled_env()
    env.pop("POSTGRES_PASSWORD")
    with pytest.raises(LookupError, match="POSTGRES_PASSWORD"):
        interpolate(environment(services["worker"])["SOHOA_DATABASE_URL"], env)


def test_no_password_is_written_in_compose(compose: dict, services: dict) -> None:
    required = re.compile(r"^\$\{[A-Z_][A-Z0-9_]*:\?[^}]+\}$")
    for name, service in services.items():
        for key, value in environment(service).items():
            if SECRETISH.search(key) and not key.endswith("_FILE"):
                assert required.match(value), f"{name}: {key} must be ${{VAR:?message}} from .env, not {value!r}"
            url = urlsplit(value) if "://" in value else None
            if url and url.password is not None:
                assert required.match(url.password), f"{name}: {key} has a password written in its URL"
    for secret, spec in compose["secrets"].items():
        assert required.match(spec["file"]), f"secret {secret}: the file must be named in .env (${{VAR:?…}})"


def test_env_example_lists_every_required_variable_and_no_password() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    required = {m.group(1) for m in INTERPOLATION.finditer(text) if m.group(2) in (":?", "?")}
    optional = {m.group(1) for m in INTERPOLATION.finditer(text) if m.group(2) in (":-", "-")}
    example = env_example()
    assert required - set(example) == set(), "compose requires variables that deploy/.env.example does not list"
    assert set(example) <= required | optional, f"unused in compose.yaml: {set(example) - required - optional}"
    assert not any(name.startswith("SOHOA_") for name in example)
    for name, value in example.items():
        if SECRETISH.search(name) and not name.endswith("_FILE"):
            assert value == "", f"deploy/.env.example must not carry a password: {name}"


def _runs(cmd: list[str]) -> bool:
    return subprocess.run(cmd, capture_output=True).returncode == 0


def test_compose_config_accepts_the_file(tmp_path: Path) -> None:
    """`docker compose config` where the compose CLI exists (Docker's own parser and interpolation)."""
    if shutil.which("docker-compose"):
        cli = ["docker-compose"]
    elif shutil.which("docker") and _runs(["docker", "compose", "version"]):
        cli = ["docker", "compose"]
    else:
        pytest.skip("no docker compose CLI on this machine")
    env_file = tmp_path / "test.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in filled_env().items()))
    base = [*cli, "--project-directory", str(ROOT), "-f", str(COMPOSE)]
    done = subprocess.run([*base, "--env-file", str(env_file), "--profile", "hotfolder", "config", "-q"], text=True)
    assert done.returncode == 0
    empty = tmp_path / "empty.env"
    empty.write_text("")
    done = subprocess.run([*base, "--env-file", str(empty), "config", "-q"], capture_output=True, text=True)
    assert done.returncode != 0 and "required variable" in done.stderr


# --- deploy/make-test-key.sh -------------------------------------------------------------------------------


def test_make_test_key_makes_keys_sohoa_signs_with(tmp_path: Path) -> None:
    from pipeline.signing_setup import build_signing_setup

    out = tmp_path / "secrets"
    env = {**os.environ, "PYTHON": sys.executable}
    subprocess.run(["bash", str(MAKE_TEST_KEY), str(out)], check=True, env=env, capture_output=True)
    names = {"agency-TEST.p12", "agency-TEST.password", "ca-TEST.pem", "audit-hmac.key"}
    assert {p.name for p in out.iterdir()} == names
    for name in names:  # secrets are bind-mounted as they are: uid 10001 must be able to read them
        assert (out / name).stat().st_mode & 0o004, f"{name} is not readable by the container's user"
    example = env_example()
    for variable, name in (("SIGN_PKCS12_FILE", "agency-TEST.p12"), ("SIGN_PASSWORD_FILE", "agency-TEST.password")):
        assert example[variable] == f"./deploy/secrets/{name}"
    assert example["TRUST_ROOTS_FILE"] == "./deploy/secrets/ca-TEST.pem"
    assert example["AUDIT_HMAC_KEY_FILE"] == "./deploy/secrets/audit-hmac.key"
    assert len(bytes.fromhex((out / "audit-hmac.key").read_text())) == 32
    settings = Settings.from_env(
        {
            "SOHOA_SIGN_PKCS12": str(out / "agency-TEST.p12"),
            "SOHOA_SIGN_PASSWORD_FILE": str(out / "agency-TEST.password"),
            "SOHOA_TRUST_ROOTS": str(out / "ca-TEST.pem"),
            "SOHOA_DATA_DIR": str(tmp_path / "data"),
        }
    )
    setup = build_signing_setup(settings)
    assert "TEST" in setup.signer.signing_cert.subject.human_friendly
    assert not (tmp_path / "data" / "keys").exists(), "the configured key must be used, not a generated one"


def test_secrets_folder_is_not_committed() -> None:
    ignore = (ROOT / "deploy" / "secrets" / ".gitignore").read_text().split()
    assert "*" in ignore and "!.gitignore" in ignore


# --- Dockerfile ------------------------------------------------------------------------------------------


def test_dockerfile_has_a_build_stage_and_a_runtime_stage() -> None:
    stages = dockerfile_stages()
    assert len(stages) >= 2, "multi-stage: build the wheel in one stage, install it in another"
    names = set()
    for stage in stages:
        words = stage[0][1].split()
        assert words[0] == "python:3.11-slim-bookworm", words
        if len(words) == 3 and words[1].upper() == "AS":
            names.add(words[2])
    build, runtime = stages[0], stages[-1]
    assert any(i == "RUN" and "pip wheel" in a for i, a in build), "the build stage must run `pip wheel`"
    for instruction, args in dockerfile_instructions():
        for ref in re.findall(r"--from=([\w.-]+)", args):
            assert ref in names, f"{instruction} refers to unknown stage {ref}"
    install = [a for i, a in runtime if i == "RUN" and "pip install" in a]
    assert install and all("--no-index" in a for a in install), "the runtime installs the built wheels only"
    assert not any("pip wheel" in a or "build-essential" in a for _, a in runtime)


def test_dockerfile_installs_what_sohoa_runs() -> None:
    runtime = dockerfile_stages()[-1]
    installed = apt_installed(runtime)
    assert installed >= RUNTIME_PACKAGES, f"missing in the runtime image: {sorted(RUNTIME_PACKAGES - installed)}"
    assert "softhsm2" not in installed, "softhsm2 is for the tests only"
    script = (ROOT / "scripts" / "install-system-deps.sh").read_text()
    assert installed <= set(re.findall(r"[a-z0-9][a-z0-9.+-]+", script)), "the image and the dev machines differ"
    assert any(i == "RUN" and "rm -rf /var/lib/apt/lists" in a for i, a in runtime)


def test_dockerfile_environment_and_user() -> None:
    runtime = dockerfile_stages()[-1]
    env: dict[str, str] = {}
    for instruction, args in runtime:
        if instruction == "ENV":
            env.update(env_assignments(args))
    assert env.get("OMP_THREAD_LIMIT") == "1"
    assert env.get("PYTHONUNBUFFERED") == "1"
    for key in env:
        if key.startswith("SOHOA_"):
            assert key.removeprefix("SOHOA_").lower() in SETTINGS, f"Dockerfile sets unknown {key}"
    users = [args.split(":")[0] for instruction, args in runtime if instruction == "USER"]
    assert users, "the image must not run as root: add a USER line"
    assert users[-1] not in ("root", "0"), f"the image runs as {users[-1]}"
    assert any(i == "RUN" and "useradd" in a and users[-1] in a for i, a in runtime)
    workdirs = [args for instruction, args in runtime if instruction == "WORKDIR"]
    assert workdirs and workdirs[-1] == "/srv/sohoa"
    cmd = [args for instruction, args in runtime if instruction == "CMD"]
    assert cmd and yaml.safe_load(cmd[-1]) == ["sohoa", "worker"]
    assert not [args for instruction, args in runtime if instruction == "ENTRYPOINT"], "compose runs `sohoa …` commands"


# --- .dockerignore ---------------------------------------------------------------------------------------


def dockerignore_excludes(path: str, patterns: list[str]) -> bool:
    excluded = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        if any(fnmatch.fnmatch(prefix, pattern) for prefix in prefixes):
            excluded = not negate
    return excluded


def test_dockerignore_keeps_the_context_small_and_free_of_secrets() -> None:
    patterns = [
        line.strip() for line in DOCKERIGNORE.read_text().splitlines() if line.strip() and not line.startswith("#")
    ]
    for path in (".venv/bin/python", "sohoa-data/catalog.sqlite3", ".git/HEAD", ".env", "deploy/secrets/a.p12"):
        assert dockerignore_excludes(path, patterns), f".dockerignore does not exclude {path}"
    needed = ["pyproject.toml", "README.md", "pipeline/data/x.ttf", "schemas/settings.py"]
    needed += [f"{package}/__init__.py" for package in ("sohoa", "pipeline", "schemas", "storage", "workers")]
    for path in needed:
        assert not dockerignore_excludes(path, patterns), f".dockerignore excludes {path}, which the wheel needs"


# --- README ----------------------------------------------------------------------------------------------


def test_readme_documents_scaling_out(services: dict) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Scaling out" in readme
    assert readme.index("## Scaling out") < readme.index("## Development")
    for text in ("docker compose up -d --build", "--scale worker=", "sohoa recover", "sohoa dlq list", "dlq retry"):
        assert text in readme, text
    for name in SOHOA_SERVICES:
        for key in environment(services[name]):
            assert key in readme, f"README does not mention {key}, which compose.yaml sets"
