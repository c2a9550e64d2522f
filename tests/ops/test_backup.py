"""Backup and restore round-trip the data and the files (PostgreSQL: pg_dump / pg_restore)."""

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command

from tests import services

pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_and_restore_round_trip_into_an_empty_database(tmp_path, settings, make_user):
    """Counts of every model and checksums of every file are the same after a restore."""
    services.require_postgres()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    make_user(email="backup-check@example.jp", full_name="控え 確認")
    # Demo data of core and groups through their own seed hooks (tables holding other apps'
    # migration data may have been flushed by earlier transactional tests).
    import random

    from core import demo as core_demo
    from groups import demo as groups_demo

    out = io.StringIO()
    core_demo.seed(scale=1, rng=random.Random(1), out=out)
    groups_demo.seed(scale=1, rng=random.Random(2), out=out)
    private = storages.create_storage(
        {**settings.STORAGES["private"], "OPTIONS": {"location": tmp_path / "private"}}
    )
    private.save("reports/2025/mirai_taiwa.pdf", ContentFile(b"%PDF-1.7 demo report"))
    (tmp_path / "media" / "logos").mkdir(parents=True)
    (tmp_path / "media" / "logos" / "group.png").write_bytes(b"\x89PNG demo")

    from ops.backup import backup_create, file_checksums, model_counts

    folder = backup_create(target_root=tmp_path / "backups")
    expected_counts = model_counts()
    expected_private = file_checksums(tmp_path / "private")

    database = settings.DATABASES["default"]
    restored_name = f"{database['NAME']}_restore"
    env = {
        **os.environ,
        "PGHOST": database.get("HOST") or "127.0.0.1",
        "PGPORT": str(database.get("PORT") or 5432),
        "PGUSER": database.get("USER") or "postgres",
    }
    subprocess.run(["dropdb", "--if-exists", restored_name], env=env, check=True)
    subprocess.run(["createdb", "-T", "template0", "-E", "UTF8", restored_name], env=env, check=True)
    try:
        user = database.get("USER") or "postgres"
        host = database.get("HOST") or "127.0.0.1"
        port = database.get("PORT") or 5432
        restore_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": f"postgres://{user}@{host}:{port}/{restored_name}",
            "MEDIA_ROOT": str(tmp_path / "restored-media"),
            "PRIVATE_MEDIA_ROOT": str(tmp_path / "restored-private"),
        }

        def restore() -> subprocess.CompletedProcess:
            """`manage.py restore` of the backup into the restore database, in a process of its own."""
            return subprocess.run(
                [sys.executable, "manage.py", "restore", str(folder)],
                cwd=settings.BASE_DIR,
                env=restore_env,
                capture_output=True,
                text=True,
                timeout=300,
            )

        result = restore()
        assert result.returncode == 0, result.stdout + result.stderr
        assert "一致" in result.stdout

        restored_pdf = tmp_path / "restored-private" / "reports" / "2025" / "mirai_taiwa.pdf"
        assert (
            hashlib.sha256(restored_pdf.read_bytes()).hexdigest()
            == expected_private["reports/2025/mirai_taiwa.pdf"]
        )
        counted = subprocess.run(
            ["psql", "-At", "-d", restored_name, "-c", "select count(*) from core_user"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert int(counted) == expected_counts["core.User"]

        again = restore()
        assert again.returncode != 0
        assert "空ではありません" in again.stderr
    finally:
        subprocess.run(["dropdb", "--if-exists", restored_name], env=env, check=False)


def test_restore_refuses_a_folder_without_a_manifest(tmp_path):
    """A folder that is not a backup is refused with a Japanese message."""
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="バックアップが見つかりません"):
        call_command("restore", str(Path(tmp_path)))
