"""The migrations' head is known when the package runs from a zipped egg (a Scrapyd deployment)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from sinesys_spiders.core.db.migrate import head

ROOT = Path(__file__).resolve().parents[3]


def test_head_from_a_zipped_package(tmp_path: Path) -> None:
    """Imported from a zip, as Scrapyd runs an egg, the package still names its newest migration."""
    egg = tmp_path / "project.egg"
    with zipfile.ZipFile(egg, "w") as archive:
        for path in (ROOT / "sinesys_spiders").rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(ROOT).as_posix())
    code = (
        f"import sys; sys.path.insert(0, {str(egg)!r}); from sinesys_spiders.core.db import migrate;"
        "assert '.egg' in migrate.__file__; print(migrate.head())"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == head()
