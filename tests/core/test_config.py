"""Which configuration runs: production unless told otherwise, and never with a known key."""

import subprocess
import sys
from pathlib import Path

import pytest

from accelerator import create_app
from config import (
    DEVELOPMENT_SECRET_KEY,
    DevelopmentConfig,
    ProductionConfig,
    TestConfig,
    config_from_environment,
)

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).parent / "flask"


def run_in_clean_environment(*command: str, **environment: str) -> subprocess.CompletedProcess:
    """Runs a command from the project's root with nothing in its environment but PATH and
    what is given, as a freshly provisioned server would."""
    return subprocess.run(
        command,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_config_without_accelerator_env_is_production(monkeypatch):
    monkeypatch.delenv("ACCELERATOR_ENV", raising=False)

    assert config_from_environment() is ProductionConfig


@pytest.mark.parametrize(
    ("name", "config"),
    [("development", DevelopmentConfig), ("production", ProductionConfig), ("test", TestConfig)],
)
def test_config_named_by_accelerator_env_is_chosen(monkeypatch, name, config):
    monkeypatch.setenv("ACCELERATOR_ENV", name)

    assert config_from_environment() is config


def test_config_with_an_unknown_accelerator_env_is_refused_in_one_line(monkeypatch):
    monkeypatch.setenv("ACCELERATOR_ENV", "staging")

    with pytest.raises(SystemExit) as refusal:
        config_from_environment()

    assert str(refusal.value) == (
        "ACCELERATOR_ENV='staging' is unknown: use development, production, test."
    )


def test_production_with_the_development_key_refuses_to_start():
    with pytest.raises(SystemExit) as refusal:
        create_app(type("Production", (ProductionConfig,), {"SECRET_KEY": DEVELOPMENT_SECRET_KEY}))

    assert str(refusal.value) == (
        "SECRET_KEY is the public development key: production refuses to start with it."
    )


def test_base_url_without_a_scheme_and_host_refuses_to_start():
    with pytest.raises(SystemExit) as refusal:
        create_app(type("Test", (TestConfig,), {"BASE_URL": "catalyst.example.org"}))

    assert str(refusal.value) == (
        "BASE_URL='catalyst.example.org' is not a full address like "
        "https://catalyst.example.org: every emailed link starts with it."
    )


def test_flask_in_a_clean_environment_refuses_to_start_in_one_line():
    result = run_in_clean_environment(str(FLASK), "--app", "wsgi", "routes")

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "SECRET_KEY is not set: production refuses to start without it.\n"


def test_flask_with_the_development_key_in_production_refuses_to_start_in_one_line():
    result = run_in_clean_environment(
        str(FLASK), "--app", "wsgi", "routes", SECRET_KEY=DEVELOPMENT_SECRET_KEY
    )

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "SECRET_KEY is the public development key: production refuses to start with it.\n"
    )


def test_flask_with_an_unknown_accelerator_env_refuses_to_start_in_one_line():
    result = run_in_clean_environment(str(FLASK), "--app", "wsgi", "routes", ACCELERATOR_ENV="prod")

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "ACCELERATOR_ENV='prod' is unknown: use development, production, test.\n"
    )


def test_deployment_settings_are_read_from_the_environment():
    result = run_in_clean_environment(
        sys.executable,
        "-c",
        "import config; c = config.ProductionConfig; print(c.TRUSTED_HOSTS, c.PROXY_FIX_HOPS)",
        TRUSTED_HOSTS="catalyst.example.org, .catalyst.example.org",
        PROXY_FIX_HOPS="1",
    )

    assert result.stdout == "['catalyst.example.org', '.catalyst.example.org'] 1\n"


def test_deployment_settings_default_to_no_host_check_and_no_proxy():
    result = run_in_clean_environment(
        sys.executable,
        "-c",
        "import config; c = config.Config; print(c.TRUSTED_HOSTS, c.PROXY_FIX_HOPS)",
    )

    assert result.stdout == "None 0\n"
