"""The laptop's settings (cache/settings.py): every FIELDREP_* variable the rep's side reads,
read fresh from the environment, an empty one as unset, a bad one as one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cache import locations
from cache.settings import SettingsError, laptop_settings
from ui.i18n import default_language

VARIABLES = ("FIELDREP_HOME", "FIELDREP_LANG", "FIELDREP_THEME", "FIELDREP_DEBUG")


@pytest.fixture
def clean_env(monkeypatch):
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


def test_nothing_set_gives_the_documented_defaults(clean_env):
    settings = laptop_settings()
    assert (settings.home, settings.lang, settings.theme, settings.debug) == (
        None, None, None, False)


def test_each_variable_is_read_fresh_and_an_empty_one_counts_as_unset(clean_env, tmp_path):
    clean_env.setenv("FIELDREP_HOME", str(tmp_path))
    clean_env.setenv("FIELDREP_THEME", "nord")
    clean_env.setenv("FIELDREP_DEBUG", "1")
    settings = laptop_settings()
    assert (settings.home, settings.theme, settings.debug) == (tmp_path, "nord", True)
    assert locations.data_dir() == tmp_path  # the data directory follows the setting
    clean_env.setenv("FIELDREP_HOME", "")
    clean_env.setenv("FIELDREP_DEBUG", "")
    assert laptop_settings().home is None and laptop_settings().debug is False
    assert locations.data_dir().name == "fieldrep"


@pytest.mark.parametrize(("value", "language"), [
    ("zh", "zh"), ("zh_CN.UTF-8", "zh"), ("ZH-tw", "zh"), ("en", "en"), ("en_US", "en"),
])
def test_the_language_accepts_a_locale_as_a_locale_variable_would(clean_env, value, language):
    clean_env.setenv("FIELDREP_LANG", value)
    settings = laptop_settings()
    assert settings.lang == language
    assert default_language(settings.lang) == language


def test_without_fieldrep_lang_the_locale_decides(clean_env):
    clean_env.setenv("LC_ALL", "zh_CN.UTF-8")
    assert default_language(laptop_settings().lang) == "zh"
    clean_env.setenv("LC_ALL", "de_DE.UTF-8")
    assert default_language(laptop_settings().lang) == "en"


@pytest.mark.parametrize(("variable", "value"), [
    ("FIELDREP_LANG", "fr"), ("FIELDREP_LANG", "chinese"), ("FIELDREP_DEBUG", "maybe"),
])
def test_a_bad_value_is_one_line_naming_the_variable_the_value_and_what_would_do(
    clean_env, variable, value
):
    clean_env.setenv(variable, value)
    with pytest.raises(SettingsError) as refused:
        laptop_settings()
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"{variable}={value!r} is not a usable value: use ")


def test_a_home_with_a_tilde_is_expanded(clean_env):
    clean_env.setenv("FIELDREP_HOME", "~/fieldrep-elsewhere")
    assert locations.data_dir() == Path.home() / "fieldrep-elsewhere"
