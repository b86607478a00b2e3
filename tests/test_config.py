"""pipeline/config.py: defaults < TOML file < NEWSDIGEST_* env < --set, validated once."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Settings, load_settings
from pipeline.errors import ConfigError
from tests.conftest import ROOT


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults():
    s = load_settings(environ={})
    assert s.summary.mode == "extractive"
    assert (s.summary.article.max_sentences, s.summary.article.max_words) == (3, 75)
    assert (s.summary.story.max_sentences, s.summary.story.max_words) == (6, 150)
    assert s.models.allow_download is False
    assert {".txt", ".md", ".html", ".jsonl", ".rss", ".atom"} <= set(s.ingest.extensions)
    assert s == Settings()


def test_os_environ_is_ignored_when_environ_is_given(monkeypatch):
    monkeypatch.setenv("NEWSDIGEST_SUMMARY__MODE", "hybrid")
    assert load_settings(environ={}).summary.mode == "extractive"
    assert load_settings().summary.mode == "hybrid"  # environ=None reads os.environ


def test_default_toml_equals_builtin_defaults():
    path = ROOT / "configs" / "default.toml"
    assert load_settings(path, environ={}) == Settings()


def test_toml_file_overrides_defaults(tmp_path):
    path = _toml(tmp_path, """
[summary]
mode = "abstractive"

[summary.article]
max_sentences = 2
max_words = 40

[ingest]
extensions = [".txt"]
""")
    s = load_settings(path, environ={})
    assert s.summary.mode == "abstractive"
    assert (s.summary.article.max_sentences, s.summary.article.max_words) == (2, 40)
    assert s.ingest.extensions == [".txt"]
    # Keys the file does not mention keep their defaults.
    assert s.summary.max_new_tokens == 96
    assert s.divergence == Settings().divergence


def test_partial_budget_override_keeps_the_other_story_default(tmp_path):
    # The story budget defaults to 6 sentences; changing only its words must not reset that to 3.
    path = _toml(tmp_path, "[summary.story]\nmax_words = 200\n")
    s = load_settings(path, environ={})
    assert (s.summary.story.max_sentences, s.summary.story.max_words) == (6, 200)
    s = load_settings(overrides=["summary.story.max_words=200"], environ={})
    assert (s.summary.story.max_sentences, s.summary.story.max_words) == (6, 200)


def test_env_var_overrides_toml(tmp_path):
    path = _toml(tmp_path, '[summary]\nmode = "abstractive"\n')
    s = load_settings(path, environ={"NEWSDIGEST_SUMMARY__MODE": "hybrid"})
    assert s.summary.mode == "hybrid"


def test_env_var_nested_and_typed():
    s = load_settings(environ={
        "NEWSDIGEST_SUMMARY__ARTICLE__MAX_WORDS": "50",
        "NEWSDIGEST_MODELS__ALLOW_DOWNLOAD": "true",
        "NEWSDIGEST_CACHE_DIR": "/tmp/whatever",  # no "__": not a setting
        "OTHER__THING": "1",
    })
    assert s.summary.article.max_words == 50
    assert s.models.allow_download is True


def test_set_override_beats_env_and_file(tmp_path):
    path = _toml(tmp_path, '[summary]\nmode = "abstractive"\n')
    s = load_settings(
        path,
        overrides=["summary.mode=extractive"],
        environ={"NEWSDIGEST_SUMMARY__MODE": "hybrid"},
    )
    assert s.summary.mode == "extractive"


def test_later_set_wins():
    s = load_settings(overrides=["summary.mode=hybrid", "summary.mode=abstractive"], environ={})
    assert s.summary.mode == "abstractive"


def test_set_values_are_typed():
    s = load_settings(
        overrides=[
            "summary.article.max_words=50",
            "summary.position_weight=0.5",
            "models.allow_download=true",
            'output.formats=["json"]',
            "models.generator=/models/my model.gguf",
            ' summary.mode = "hybrid" ',
        ],
        environ={},
    )
    assert s.summary.article.max_words == 50 and isinstance(s.summary.article.max_words, int)
    assert s.summary.position_weight == 0.5
    assert s.models.allow_download is True
    assert s.output.formats == ["json"]
    assert s.models.generator == "/models/my model.gguf"
    assert s.summary.mode == "hybrid"


def test_unknown_key_is_an_error_naming_it():
    with pytest.raises(ConfigError, match=r"summary\.modee"):
        load_settings(overrides=["summary.modee=hybrid"], environ={})


def test_unknown_key_in_toml_is_an_error_naming_it(tmp_path):
    path = _toml(tmp_path, "[divergence]\nalign_treshold = 0.5\n")
    with pytest.raises(ConfigError, match=r"divergence\.align_treshold"):
        load_settings(path, environ={})


def test_unknown_env_key_is_an_error():
    with pytest.raises(ConfigError, match=r"summary\.colour"):
        load_settings(environ={"NEWSDIGEST_SUMMARY__COLOUR": "red"})


def test_broken_toml_is_a_config_error(tmp_path):
    path = _toml(tmp_path, "[summary\nmode = hybrid\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(path, environ={})


def test_non_utf8_toml_is_a_config_error(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[models]\nembedder = "caf\xe9"\n')
    with pytest.raises(ConfigError):
        load_settings(path, environ={})


def test_missing_file_is_a_config_error(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="not found"):
        load_settings(missing, environ={})


def test_folder_given_as_config_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError):
        load_settings(tmp_path, environ={})


@pytest.mark.parametrize("override,key", [
    ("summary.mode=foo", "summary.mode"),
    ("summary.article.max_words=2", "summary.article.max_words"),  # below the minimum of 5
    ("summary.article.max_sentences=0", "summary.article.max_sentences"),
    ("summary.position_weight=1.5", "summary.position_weight"),
    ("ingest.max_file_mb=0", "ingest.max_file_mb"),
    ('output.formats=["pdf"]', "output.formats"),
])
def test_bad_value_is_a_config_error_naming_the_key(override, key):
    with pytest.raises(ConfigError) as exc:
        load_settings(overrides=[override], environ={})
    assert key in str(exc.value)


def test_bad_env_value_is_a_config_error():
    with pytest.raises(ConfigError, match=r"summary\.mode"):
        load_settings(environ={"NEWSDIGEST_SUMMARY__MODE": "foo"})


@pytest.mark.parametrize("item", ["summary.mode", "", "=hybrid", "  =1"])
def test_set_without_key_value_is_a_config_error(item):
    with pytest.raises(ConfigError, match="key=value"):
        load_settings(overrides=[item], environ={})


def test_set_below_a_scalar_is_a_config_error():
    with pytest.raises(ConfigError):
        load_settings(overrides=["summary.mode=hybrid", "summary.mode.deep=1"], environ={})
