"""Configuration: discovery, every key, CLI overrides and every error case."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from unbounded_lint.config import (
    DEFAULT_EXCLUDE,
    Config,
    ConfigError,
    discover_files,
    expand_selectors,
    find_pyproject,
    glob_match,
    load_config,
    resolve_codes,
)
from unbounded_lint.types import ALL_CODES, DEFAULT_SELECT, Confidence, Settings


def write_pyproject(folder: Path, body: str, table: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pyproject.toml"
    text = "[project]\nname = 'x'\n"
    if table:
        text += "\n[tool.unbounded-lint]\n" + textwrap.dedent(body)
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, body: str, **cli) -> Config:
    return load_config(write_pyproject(tmp_path, body), cli)


# --------------------------------------------------------------------------- discovery


def test_find_pyproject_walks_up_from_a_file(tmp_path):
    config = write_pyproject(tmp_path, "max-length = 10\n")
    target = tmp_path / "pkg" / "sub" / "mod.py"
    target.parent.mkdir(parents=True)
    target.write_text("x = 1\n")
    assert find_pyproject(target) == config
    assert find_pyproject(target.parent) == config
    assert find_pyproject(tmp_path) == config


def test_find_pyproject_skips_files_without_the_table(tmp_path):
    outer = write_pyproject(tmp_path, "max-length = 10\n")
    write_pyproject(tmp_path / "pkg", "", table=False)  # packaging-only pyproject.toml
    target = tmp_path / "pkg" / "mod.py"
    target.write_text("x = 1\n")
    assert find_pyproject(target) == outer


def test_find_pyproject_prefers_the_nearest_table(tmp_path):
    write_pyproject(tmp_path, "max-length = 10\n")
    inner = write_pyproject(tmp_path / "pkg", "max-length = 20\n")
    assert find_pyproject(tmp_path / "pkg" / "mod.py") == inner
    assert load_config(find_pyproject(tmp_path / "pkg" / "mod.py"), {}).settings.max_length == 20


def test_find_pyproject_none_when_absent(tmp_path):
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    found = find_pyproject(folder)
    # Nothing in tmp_path; anything found must be above it (the machine's own folders).
    assert found is None or tmp_path not in found.parents


def test_find_pyproject_relative_start(tmp_path, monkeypatch):
    config = write_pyproject(tmp_path, "select = ['UBL001']\n")
    (tmp_path / "src").mkdir()
    monkeypatch.chdir(tmp_path / "src")
    assert find_pyproject(Path("mod.py")) == config
    assert find_pyproject(".") == config


def test_find_pyproject_reports_broken_toml(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.unbounded-lint\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        find_pyproject(tmp_path / "mod.py")
    assert "pyproject.toml" in str(err.value)
    assert "invalid TOML" in str(err.value)


# --------------------------------------------------------------------------- defaults


def test_defaults_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(None, {})
    assert config.settings == Settings()
    assert config.settings.select == DEFAULT_SELECT
    assert config.settings.max_length == 1000
    assert config.settings.min_confidence is Confidence.MEDIUM
    assert config.exclude == DEFAULT_EXCLUDE
    assert config.extend_exclude == ()
    assert config.per_file_ignores == ()
    assert config.respect_gitignore is True
    assert config.path is None
    assert Path(config.root) == tmp_path
    assert set(DEFAULT_EXCLUDE) >= {".git", ".venv", "venv", "__pycache__", "build", "dist", ".tox",
                                    "node_modules", ".mypy_cache", ".unbounded_lint_cache"}


def test_empty_table_gives_defaults(tmp_path):
    config = load(tmp_path, "")
    assert config.settings == Settings()
    assert config.path == str(tmp_path / "pyproject.toml")
    assert Path(config.root) == tmp_path


# --------------------------------------------------------------------------- every key


def test_select(tmp_path):
    assert load(tmp_path, "select = ['UBL001', 'UBL007']\n").settings.select == ("UBL001", "UBL007")


def test_select_prefixes(tmp_path):
    assert load(tmp_path, "select = ['UBL']\n").settings.select == ALL_CODES
    assert load(tmp_path, "select = ['UBL00']\n").settings.select == ALL_CODES
    assert load(tmp_path, "select = ['ALL']\n").settings.select == ALL_CODES


def test_ignore(tmp_path):
    config = load(tmp_path, "ignore = ['UBL004', 'UBL005']\n")
    assert config.settings.select == ("UBL001", "UBL002", "UBL003", "UBL006")


def test_extend_select(tmp_path):
    config = load(tmp_path, "extend-select = ['UBL007']\n")
    assert config.settings.select == DEFAULT_SELECT + ("UBL007",)


def test_more_specific_selector_wins_like_ruff(tmp_path):
    config = load(tmp_path, "select = ['UBL']\nignore = ['UBL00']\nextend-select = ['UBL004']\n")
    assert config.settings.select == ("UBL004",)
    # ignore beats an equally specific select
    assert load(tmp_path, "select = ['UBL001']\nignore = ['UBL001']\n").settings.select == ()
    # a code selected explicitly survives a prefix ignore
    assert load(tmp_path, "select = ['UBL001']\nignore = ['UBL']\n").settings.select == ("UBL001",)


def test_lowercase_codes_are_accepted(tmp_path):
    assert load(tmp_path, "select = ['ubl002']\n").settings.select == ("UBL002",)


def test_max_length(tmp_path):
    assert load(tmp_path, "max-length = 50\n").settings.max_length == 50


@pytest.mark.parametrize("level,expected", [("low", Confidence.LOW), ("medium", Confidence.MEDIUM),
                                            ("high", Confidence.HIGH), ("HIGH", Confidence.HIGH)])
def test_min_confidence(tmp_path, level, expected):
    assert load(tmp_path, f"min-confidence = '{level}'\n").settings.min_confidence is expected


def test_exclude_replaces_defaults(tmp_path):
    config = load(tmp_path, "exclude = ['generated']\n")
    assert config.exclude == ("generated",)
    assert config.is_excluded(tmp_path / "generated" / "a.py")
    assert not config.is_excluded(tmp_path / ".venv" / "a.py")


def test_extend_exclude_keeps_defaults(tmp_path):
    config = load(tmp_path, "extend-exclude = ['legacy/*.py', 'migrations']\n")
    assert config.exclude == DEFAULT_EXCLUDE
    assert config.extend_exclude == ("legacy/*.py", "migrations")
    assert config.is_excluded(tmp_path / "legacy" / "old.py")
    assert not config.is_excluded(tmp_path / "src" / "legacy" / "old.py")  # anchored at the root
    assert config.is_excluded(tmp_path / "app" / "migrations" / "0001.py")  # any depth
    assert config.is_excluded(tmp_path / ".venv" / "lib" / "x.py")
    assert config.is_excluded(tmp_path / "pkg" / "__pycache__" / "x.py")
    assert not config.is_excluded(tmp_path / "src" / "app.py")


def test_per_file_ignores(tmp_path):
    config = load(
        tmp_path,
        """
        [tool.unbounded-lint.per-file-ignores]
        "tests/*" = ["UBL001", "UBL002"]
        "__init__.py" = ["UBL"]
        "scripts/**/plot_*.py" = ["UBL005"]
        """,
    )
    assert config.per_file_ignores == (
        ("tests/*", ("UBL001", "UBL002")),
        ("__init__.py", ALL_CODES),
        ("scripts/**/plot_*.py", ("UBL005",)),
    )
    assert config.codes_for(tmp_path / "tests" / "test_a.py") == ("UBL003", "UBL004", "UBL005", "UBL006")
    assert config.codes_for(tmp_path / "tests" / "sub" / "test_b.py") == ("UBL003", "UBL004", "UBL005", "UBL006")
    assert config.codes_for(tmp_path / "src" / "tests" / "x.py") == DEFAULT_SELECT  # anchored
    assert config.codes_for(tmp_path / "pkg" / "__init__.py") == ()
    assert config.codes_for(tmp_path / "scripts" / "plot_a.py") == ("UBL001", "UBL002", "UBL003", "UBL004", "UBL006")
    assert config.codes_for(tmp_path / "scripts" / "x" / "y" / "plot_b.py") == (
        "UBL001", "UBL002", "UBL003", "UBL004", "UBL006")
    assert config.codes_for(tmp_path / "src" / "app.py") == DEFAULT_SELECT
    assert config.settings_for(tmp_path / "pkg" / "__init__.py").select == ()
    assert config.settings_for(tmp_path / "src" / "app.py") is config.settings


def test_per_file_ignores_relative_to_config_folder_not_cwd(tmp_path, monkeypatch):
    project = tmp_path / "project"
    config = load_config(write_pyproject(project, "per-file-ignores = { 'tests/*' = ['UBL001'] }\n"), {})
    (project / "tests").mkdir()
    monkeypatch.chdir(project / "tests")
    assert "UBL001" not in config.codes_for("test_x.py")  # relative to cwd = project/tests
    monkeypatch.chdir(tmp_path)
    assert "UBL001" not in config.codes_for("project/tests/test_x.py")
    assert "UBL001" in config.codes_for("project/src/x.py")


def test_respect_gitignore(tmp_path):
    assert load(tmp_path, "respect-gitignore = false\n").respect_gitignore is False
    assert load(tmp_path, "respect-gitignore = true\n").respect_gitignore is True


def test_all_keys_together(tmp_path):
    config = load(
        tmp_path,
        """
        select = ["UBL00"]
        ignore = ["UBL006"]
        extend-select = ["UBL006"]
        max-length = 200
        exclude = ["vendor"]
        extend-exclude = ["gen"]
        respect-gitignore = false
        min-confidence = "low"
        per-file-ignores = { "a.py" = ["UBL001"] }
        """,
    )
    # UBL006 is both ignored and extend-selected with equal specificity: ignore wins
    assert config.settings == Settings(select=("UBL001", "UBL002", "UBL003", "UBL004", "UBL005", "UBL007", "UBL008"),
                                       max_length=200, min_confidence=Confidence.LOW)
    assert config.exclude == ("vendor",) and config.extend_exclude == ("gen",)
    assert config.respect_gitignore is False
    assert config.per_file_ignores == (("a.py", ("UBL001",)),)


# --------------------------------------------------------------------------- CLI overrides


def test_cli_overrides_file(tmp_path):
    config = load(
        tmp_path,
        "select = ['UBL001']\nmax-length = 10\nmin-confidence = 'high'\nrespect-gitignore = true\n",
        select=["UBL002", "UBL003"],
        max_length=99,
        min_confidence="low",
        respect_gitignore=False,
    )
    assert config.settings == Settings(select=("UBL002", "UBL003"), max_length=99, min_confidence=Confidence.LOW)
    assert config.respect_gitignore is False


def test_cli_none_means_not_given(tmp_path):
    config = load(tmp_path, "select = ['UBL001']\nmax-length = 10\n", select=None, max_length=None, ignore=None,
                  extend_select=None, exclude=None, extend_exclude=None, per_file_ignores=None,
                  respect_gitignore=None, min_confidence=None)
    assert config.settings.select == ("UBL001",)
    assert config.settings.max_length == 10


def test_cli_accepts_comma_separated_strings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(None, {"select": "UBL001, UBL002", "extend_select": "UBL008", "ignore": "UBL002",
                                "max_length": "12", "exclude": "a,b", "extend_exclude": "c",
                                "min_confidence": Confidence.HIGH})
    assert config.settings == Settings(select=("UBL001", "UBL008"), max_length=12, min_confidence=Confidence.HIGH)
    assert config.exclude == ("a", "b") and config.extend_exclude == ("c",)


def test_cli_per_file_ignores_forms(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    expected = (("tests/*", ("UBL001", "UBL002")), ("x.py", ALL_CODES))
    assert load_config(None, {"per_file_ignores": "tests/*:UBL001,UBL002 x.py:UBL"}).per_file_ignores == expected
    assert load_config(None, {"per_file_ignores": ["tests/*:UBL001,UBL002", "x.py:UBL"]}).per_file_ignores == expected
    assert load_config(None, {"per_file_ignores": {"tests/*": ["UBL001", "UBL002"], "x.py": ["UBL"]}}).per_file_ignores == expected


def test_cli_extend_select_on_top_of_file_select(tmp_path):
    config = load(tmp_path, "select = ['UBL001']\n", extend_select=["UBL007"])
    assert config.settings.select == ("UBL001", "UBL007")


def test_isolated_is_load_config_none(tmp_path, monkeypatch):
    write_pyproject(tmp_path, "select = ['UBL001']\n")
    monkeypatch.chdir(tmp_path)
    assert load_config(None, {}).settings.select == DEFAULT_SELECT


# --------------------------------------------------------------------------- errors


def assert_config_error(tmp_path, body, *needles, **cli):
    path = write_pyproject(tmp_path, body)
    with pytest.raises(ConfigError) as err:
        load_config(path, cli)
    message = str(err.value)
    for needle in needles:
        assert needle in message, message
    return message


def test_error_unknown_key_names_key_and_file(tmp_path):
    message = assert_config_error(tmp_path, "max_length = 3\n", "'max_length'", str(tmp_path / "pyproject.toml"))
    assert "did you mean 'max-length'" in message
    assert_config_error(tmp_path, "colour = true\n", "unknown key 'colour'", "pyproject.toml")


@pytest.mark.parametrize(
    "body,key",
    [
        ("select = 'UBL001'\n", "select"),
        ("ignore = [1]\n", "ignore"),
        ("extend-select = true\n", "extend-select"),
        ("max-length = '10'\n", "max-length"),
        ("max-length = 0\n", "max-length"),
        ("max-length = -5\n", "max-length"),
        ("max-length = true\n", "max-length"),
        ("max-length = 1.5\n", "max-length"),
        ("exclude = 'build'\n", "exclude"),
        ("extend-exclude = [1, 2]\n", "extend-exclude"),
        ("per-file-ignores = ['a.py']\n", "per-file-ignores"),
        ("respect-gitignore = 'yes'\n", "respect-gitignore"),
        ("min-confidence = 'certain'\n", "min-confidence"),
        ("min-confidence = 3\n", "min-confidence"),
    ],
)
def test_error_wrong_type(tmp_path, body, key):
    message = assert_config_error(tmp_path, body, f"'{key}'", "pyproject.toml", "must be")
    assert "[tool.unbounded-lint]" in message


def test_error_per_file_ignores_value_type(tmp_path):
    assert_config_error(tmp_path, "per-file-ignores = { 'a.py' = 'UBL001' }\n",
                        "'per-file-ignores'", "'a.py'", "must be a list of codes")


@pytest.mark.parametrize(
    "body,bad",
    [
        ("select = ['UBL009']\n", "UBL009"),
        ("ignore = ['E501']\n", "E501"),
        ("extend-select = ['UBL1']\n", "UBL1"),
        ("select = ['']\n", "''"),
        ("per-file-ignores = { 'a.py' = ['UBL010'] }\n", "UBL010"),
    ],
)
def test_error_unknown_code(tmp_path, body, bad):
    message = assert_config_error(tmp_path, body, "unknown code", bad, "pyproject.toml")
    assert "UBL001..UBL008" in message


def test_error_table_not_a_table(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool]\nunbounded-lint = 3\n")
    with pytest.raises(ConfigError, match="must be a table"):
        load_config(path, {})


def test_error_explicit_config_missing_or_without_table(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml", {})
    path = write_pyproject(tmp_path, "", table=False)
    with pytest.raises(ConfigError, match=r"no \[tool.unbounded-lint\] table"):
        load_config(path, {})


def test_error_invalid_toml_in_explicit_config(tmp_path):
    path = tmp_path / "custom.toml"
    path.write_text("[tool.unbounded-lint]\nselect = [\n")
    with pytest.raises(ConfigError, match="custom.toml: invalid TOML"):
        load_config(path, {})


def test_explicit_config_any_file_name(tmp_path):
    path = tmp_path / "lint.toml"
    path.write_text("[tool.unbounded-lint]\nmax-length = 7\n")
    assert load_config(path, {}).settings.max_length == 7


@pytest.mark.parametrize(
    "cli,needle",
    [
        ({"select": ["UBL999"]}, "--select"),
        ({"ignore": 3}, "--ignore"),
        ({"max_length": "ten"}, "--max-length"),
        ({"min_confidence": "sure"}, "--min-confidence"),
        ({"respect_gitignore": "no"}, "--respect-gitignore"),
        ({"per_file_ignores": "a.py"}, "--per-file-ignores"),
        ({"per_file_ignores": "a.py:UBL777"}, "--per-file-ignores"),
        ({"colour": True}, "unknown option 'colour'"),
    ],
)
def test_error_cli_values_name_the_flag(tmp_path, monkeypatch, cli, needle):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as err:
        load_config(None, cli)
    assert needle in str(err.value)
    assert "command line" in str(err.value)


# --------------------------------------------------------------------------- selectors and globs


def test_expand_and_resolve_helpers():
    assert expand_selectors(["UBL00"]) == ALL_CODES
    assert expand_selectors(["UBL004", "UBL001"]) == ("UBL001", "UBL004")
    with pytest.raises(ValueError):
        expand_selectors(["XYZ"])
    assert resolve_codes() == DEFAULT_SELECT
    assert resolve_codes(["UBL"], ["UBL007", "UBL008"]) == DEFAULT_SELECT


@pytest.mark.parametrize(
    "pattern,path,expected",
    [
        (".venv", ".venv/lib/x.py", True),
        (".venv", "a/.venv/x.py", True),
        ("venv", "myvenv/x.py", False),
        ("*.pyi", "pkg/mod.pyi", True),
        ("test_*.py", "tests/unit/test_a.py", True),
        ("tests/*", "tests/a.py", True),
        ("tests/*", "tests/deep/a.py", True),
        ("tests/*", "src/tests/a.py", False),
        ("tests/", "tests/a.py", True),
        ("./tests", "tests/a.py", True),
        ("src/*.py", "src/a.py", True),
        ("src/*.py", "src/sub/a.py", False),
        ("src/**/gen_*.py", "src/gen_a.py", True),
        ("src/**/gen_*.py", "src/x/y/gen_a.py", True),
        ("**/migrations", "app/migrations/0001.py", True),
        ("a?.py", "ab.py", True),
        ("a?.py", "abc.py", False),
        ("[ab].py", "b.py", True),
        ("[!ab].py", "b.py", False),
    ],
)
def test_glob_match(pattern, path, expected):
    assert glob_match(pattern, path) is expected


def test_absolute_pattern(tmp_path):
    config = load(tmp_path, f"extend-exclude = ['{(tmp_path / 'gen').as_posix()}']\n")
    assert config.is_excluded(tmp_path / "gen" / "a.py")
    assert not config.is_excluded(tmp_path / "src" / "a.py")


def test_paths_outside_root_match_by_name_only(tmp_path):
    config = load_config(write_pyproject(tmp_path / "proj", "extend-exclude = ['other/*']\n"), {})
    outside = tmp_path / "other" / "x.py"
    assert not config.is_excluded(outside)  # 'other/*' is anchored at the config folder
    assert config.is_excluded(tmp_path / "elsewhere" / ".venv" / "x.py")


# --------------------------------------------------------------------------- file discovery


def make_tree(root: Path) -> None:
    for rel in ["src/app.py", "src/stub.pyi", "src/readme.txt", ".venv/lib/site.py", "build/gen.py",
                "src/__pycache__/app.cpython.py", "ignored_dir/x.py", "src/ignored_file.py", "legacy/old.py"]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


def test_discover_files_excludes(tmp_path, monkeypatch):
    make_tree(tmp_path)
    config = load(tmp_path, "extend-exclude = ['legacy']\nrespect-gitignore = false\n")
    monkeypatch.chdir(tmp_path)
    files = discover_files(["."], config)
    assert sorted(Path(f).as_posix() for f in files) == [
        "ignored_dir/x.py", "src/app.py", "src/ignored_file.py", "src/stub.pyi"]
    # explicit files are linted even when excluded, unless force_exclude
    assert discover_files(["legacy/old.py"], config) == ["legacy/old.py"]
    assert discover_files(["legacy/old.py"], config, force_exclude=True) == []
    # duplicates collapse
    assert discover_files(["src/app.py", "src"], config) == ["src/app.py", os.path.join("src", "ignored_file.py"),
                                                              os.path.join("src", "stub.pyi")]


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_discover_files_respects_gitignore(tmp_path, monkeypatch):
    make_tree(tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("ignored_dir/\nignored_file.py\n")
    monkeypatch.chdir(tmp_path)
    on = load(tmp_path, "")
    assert sorted(Path(f).as_posix() for f in discover_files(["."], on)) == ["legacy/old.py", "src/app.py", "src/stub.pyi"]
    assert discover_files(["src/ignored_file.py"], on, force_exclude=True) == []
    off = load(tmp_path, "respect-gitignore = false\n")
    assert "src/ignored_file.py" in [Path(f).as_posix() for f in discover_files(["."], off)]


def test_discover_files_outside_git(tmp_path, monkeypatch):
    make_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    config = load(tmp_path, "")
    assert "src/app.py" in [Path(f).as_posix() for f in discover_files(["."], config)]
