"""The layout a newcomer reads: layers kept (import-linter), every module says what it holds,
stays small, and is named in the README's development map."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from importlinter import configuration
from importlinter.application.use_cases import lint_imports

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pipeline"
MAX_LINES = 400
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_import_contracts_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    configuration.configure()  # what the lint-imports command does before it reads the contracts
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), cache_dir=None, no_logo=True) is True


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_says_what_it_holds_and_stays_small(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(source))
    assert source.startswith('"""'), "the first line must be the module docstring"
    assert docstring and len(docstring.split()) >= 3, "the docstring must say what the module holds"
    assert len(source.splitlines()) <= MAX_LINES


def test_readme_map_names_every_module_and_folder() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    map_text = readme[readme.index("## Development"):]
    block = re.search(r"```\n(pipeline/.*?)```", map_text, re.S)
    assert block, "README's development map is missing"
    listed = set(re.findall(r"[\w]+\.py|[\w]+/", block.group(1)))
    for path in MODULES:
        if path.name in ("__init__.py", "__main__.py"):
            folder = path.parent.name + "/"
            assert path.parent == PACKAGE or folder in listed, f"{folder} is not in the README map"
            continue
        assert path.name in listed, f"{path.relative_to(ROOT)} is not in the README map"
