"""prefect.yaml and `molva serve` describe the flows that exist, with the config's schedules and time zone."""

from __future__ import annotations

import importlib
from pathlib import Path

import yaml

from molva.config import load_config

REPO = Path(__file__).resolve().parents[2]


def test_prefect_yaml_entrypoints_and_schedules_match_the_demo_config() -> None:
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    config = load_config(REPO / "configs" / "demo.yaml")
    by_name = {d["name"]: d for d in spec["deployments"]}
    assert set(by_name) == {"molva-nightly", "molva-weekly-digest", "molva-backfill"}
    for deployment in spec["deployments"]:
        path, func = deployment["entrypoint"].split(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert hasattr(getattr(module, func), "fn"), f"{deployment['entrypoint']} is not a Prefect flow"
        assert deployment["work_pool"]["name"] == "molva-pool"
    nightly = by_name["molva-nightly"]["schedules"][0]
    weekly = by_name["molva-weekly-digest"]["schedules"][0]
    assert (nightly["cron"], nightly["timezone"]) == (config.schedule.nightly, config.schedule.timezone)
    assert (weekly["cron"], weekly["timezone"]) == (config.schedule.weekly, config.schedule.timezone)


def test_serve_builds_timezone_aware_deployments_from_the_config(tmp_path: Path) -> None:
    from molva.cli.commands.serve import deployments

    config_file = tmp_path / "c.yaml"
    text = (REPO / "configs" / "demo.yaml").read_text(encoding="utf-8")
    config_file.write_text(text.replace('nightly: "0 3 * * *"', 'nightly: "30 2 * * *"'), encoding="utf-8")
    config = load_config(config_file)
    nightly, weekly = deployments(str(config_file), config)
    assert nightly.name == "molva-nightly" and weekly.name == "molva-weekly-digest"
    assert nightly.schedules[0].schedule.cron == "30 2 * * *"
    assert nightly.schedules[0].schedule.timezone == "Europe/Moscow"
    assert nightly.parameters == {"config_path": str(config_file)}
    assert weekly.parameters["send"] is True  # the demo config has recipients


def test_prefect_yaml_passes_prefects_own_validation() -> None:
    from prefect.cli.deploy._models import PrefectYamlModel  # what `prefect deploy` validates the file with

    model = PrefectYamlModel.model_validate(yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8")))
    assert [d.name for d in model.deployments] == ["molva-nightly", "molva-weekly-digest", "molva-backfill"]
    assert model.deployments[0].schedules[0].timezone == "Europe/Moscow"
