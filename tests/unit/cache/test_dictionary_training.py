"""Training: generated users are deterministic and valid; the trainer writes a dictionary named by its id and
reports the ratio on held-out users; ``keel cache train-dict`` does both through the container."""

from __future__ import annotations

from pathlib import Path

import pytest
import zstandard as zstd
from typer.testing import CliRunner

from keel.container import Container
from keel.infrastructure.cache.samples import generate_users
from keel.infrastructure.cache.training import CacheDictionaryTrainer
from keel.infrastructure.cache.user_codec import user_record


def test_the_same_seed_generates_the_same_users_and_another_seed_others() -> None:
    first = [user_record(user) for user in generate_users(200, seed=21)]
    again = [user_record(user) for user in generate_users(200, seed=21)]
    other = [user_record(user) for user in generate_users(200, seed=22)]
    assert first == again
    assert len(set(first) & set(other)) == 0
    assert len(first) == 200


def test_generated_users_look_like_people_of_companies() -> None:
    users = generate_users(500, seed=23)
    tenants = {user.tenant_id for user in users}
    domains = {user.email.domain for user in users}
    assert 1 < len(tenants) < 250
    assert len(domains) < len(users) / 2  # colleagues share their company's domain
    assert all(user.full_name and user.version >= 1 for user in users)


def test_the_trainer_writes_a_dictionary_named_by_its_id_and_measures_it_on_held_out_users(tmp_path: Path) -> None:
    trainer = CacheDictionaryTrainer(dict_size=8 * 1024)
    trained = trainer.train(generate_users(2_000, seed=24), generate_users(300, seed=25))
    path = trained.write(tmp_path)

    assert path == tmp_path / f"users-{trained.dict_id:08x}.zdict"
    assert zstd.ZstdCompressionDict(path.read_bytes(), dict_type=zstd.DICT_TYPE_FULLDICT).dict_id() == trained.dict_id
    assert trained.samples == 2_000
    assert trained.report.records == 300
    assert trained.report.ratio > 1.5
    assert "held-out" in trained.report.describe()


def test_training_is_deterministic_for_the_same_users() -> None:
    users = generate_users(2_000, seed=26)
    held_out = generate_users(10, seed=27)
    trainer = CacheDictionaryTrainer(dict_size=8 * 1024)
    assert trainer.train(users, held_out).dictionary.as_bytes() == trainer.train(users, held_out).dictionary.as_bytes()


def test_too_few_samples_for_the_dictionary_size_is_a_readable_error() -> None:
    trainer = CacheDictionaryTrainer(dict_size=512 * 1024)
    with pytest.raises(trainer.Error, match="more samples or a smaller size"):
        trainer.train(generate_users(3, seed=28), generate_users(5, seed=29))


@pytest.mark.skipif(
    "cache_dictionary_trainer" not in Container.providers, reason="the container does not provide the trainer yet"
)
def test_the_command_trains_writes_and_prints_the_ratio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from keel.presentation.cli import cache
    from keel.presentation.cli.context import cli_settings

    monkeypatch.setenv("KEEL_CACHE__MODE", "off")
    cli_settings.cache_clear()
    result = CliRunner().invoke(
        cache.app, ["train-dict", "--samples", "2000", "--size", "8192", "--output", str(tmp_path)]
    )
    cli_settings.cache_clear()
    assert result.exit_code == 0, result.output
    written = list(tmp_path.glob("users-*.zdict"))
    assert len(written) == 1
    assert "ratio" in result.output
    assert f'CURRENT = "{written[0].name}"' in result.output


def test_the_command_refuses_database_samples_until_a_source_is_wired() -> None:
    from keel.presentation.cli import cache

    result = CliRunner().invoke(cache.app, ["train-dict", "--from-database"])
    assert result.exit_code == 1
    assert "not wired yet" in result.output
