"""Backups: the database and the uploaded files into one dated folder, and back.

A folder holds `database.dump` (PostgreSQL, pg_dump custom format) or `database.sqlite3`,
`media.tar.gz` and `private.tar.gz`, and `manifest.json` with the row count of every model and
the SHA-256 of every file, so a restore can prove it brought back what was saved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone


def database_url_parts() -> dict:
    db = settings.DATABASES["default"]
    return {
        "vendor": connection.vendor,
        "name": str(db["NAME"]),
        "user": db.get("USER") or "",
        "password": db.get("PASSWORD") or "",
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
    }


def pg_environment(parts: dict) -> dict:
    import os

    env = dict(os.environ)
    env.update(
        PGHOST=parts["host"] or "127.0.0.1",
        PGPORT=parts["port"] or "5432",
        PGUSER=parts["user"] or "postgres",
    )
    if parts["password"]:
        env["PGPASSWORD"] = parts["password"]
    return env


def model_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            counts[model._meta.label] = model._base_manager.count()
    return dict(sorted(counts.items()))


def file_checksums(root: Path) -> dict[str, str]:
    sums = {}
    if root.exists():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            sums[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return sums


def backup_create(*, target_root: Path, now: dt.datetime | None = None) -> Path:
    # Named by the Japan time, as staff read it (the container's clock may be UTC).
    now = now or timezone.localtime()
    folder = target_root / now.strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=False)
    parts = database_url_parts()
    if parts["vendor"] == "postgresql":
        subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={folder / 'database.dump'}",
                parts["name"],
            ],
            env=pg_environment(parts),
            check=True,
            capture_output=True,
            text=True,
        )
    elif parts["vendor"] == "sqlite":
        source = sqlite3.connect(parts["name"])
        with sqlite3.connect(folder / "database.sqlite3") as destination:
            source.backup(destination)
        source.close()
    else:
        raise RuntimeError(f"unsupported database: {parts['vendor']}")
    for name, root in (("media", Path(settings.MEDIA_ROOT)), ("private", Path(settings.PRIVATE_MEDIA_ROOT))):
        with tarfile.open(folder / f"{name}.tar.gz", "w:gz") as archive:
            if root.exists():
                archive.add(root, arcname=".")
    manifest = {
        "created_at": now.isoformat(timespec="seconds"),
        "database": parts["vendor"],
        "counts": model_counts(),
        "media": file_checksums(Path(settings.MEDIA_ROOT)),
        "private": file_checksums(Path(settings.PRIVATE_MEDIA_ROOT)),
    }
    (folder / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return folder


class RestoreError(Exception):
    pass


def database_is_empty() -> bool:
    return not connection.introspection.table_names()


def backup_restore(*, folder: Path) -> dict:
    """Restores into an EMPTY database and empty media folders, then verifies against the manifest."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    parts = database_url_parts()
    if manifest["database"] != parts["vendor"]:
        raise RestoreError(
            f"バックアップは {manifest['database']} のものです（復元先は {parts['vendor']}）。"
        )
    if not database_is_empty():
        raise RestoreError("復元先のデータベースが空ではありません。空のデータベースを指定してください。")
    connection.close()
    if parts["vendor"] == "postgresql":
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={parts['name']}",
                str(folder / "database.dump"),
            ],
            env=pg_environment(parts),
            check=True,
            capture_output=True,
            text=True,
        )
    else:
        shutil.copyfile(folder / "database.sqlite3", parts["name"])
    for name, root in (("media", Path(settings.MEDIA_ROOT)), ("private", Path(settings.PRIVATE_MEDIA_ROOT))):
        root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(folder / f"{name}.tar.gz", "r:gz") as archive:
            archive.extractall(root, filter="data")  # refuses absolute paths and ../
    found = {
        "counts": model_counts(),
        "media": file_checksums(Path(settings.MEDIA_ROOT)),
        "private": file_checksums(Path(settings.PRIVATE_MEDIA_ROOT)),
    }
    differences = [key for key in ("counts", "media", "private") if found[key] != manifest[key]]
    if differences:
        raise RestoreError(f"復元後の内容がバックアップと一致しません: {', '.join(differences)}")
    return found
