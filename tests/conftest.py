"""Settings for the whole suite."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from domain.backends.postgres.kek import KEK_DIR_VAR


@pytest.fixture(scope="session", autouse=True)
def kek_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """PostgreSQL key stores keep their key-encryption keys in files: the suite's go to a
    temporary directory (inherited by the processes it starts), never the user's own."""
    before = os.environ.get(KEK_DIR_VAR)
    where = str(tmp_path_factory.mktemp("kek"))
    os.environ[KEK_DIR_VAR] = where
    yield where
    if before is None:
        os.environ.pop(KEK_DIR_VAR, None)
    else:
        os.environ[KEK_DIR_VAR] = before
