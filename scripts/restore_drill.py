#!/usr/bin/env python3
"""Backup and restore drill (docs/operations.md): back up, restore elsewhere, prove they are equal.

    python scripts/restore_drill.py --database-url postgres://… --media-root /data/media \
        --backup-dir /backups/2026-12-01 [--keep]

1. Backup: ``pg_dump --format=custom`` of the database, a tar of the media directory, and a
   manifest (sha256 of every media file, row count of every table).
2. Restore: a new database ``<name>_drill`` (dropped first if it exists) by ``pg_restore``, and the
   media tar unpacked into a fresh directory.
3. Check: every table has the same row count in the source and the restored database; every
   media file has the same sha256; every letter and bundle PDF the restored database names exists
   in the restored media with the sha256 the database recorded for it.
Exit status 0 and "DRILL OK" when all hold, 1 with each difference listed otherwise. The drill
database and directory are removed afterwards unless ``--keep``. Needs the PostgreSQL client
programs (pg_dump, pg_restore, psql) of the server's major version or newer.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PDF_TABLES = (("letters_letter", "pdf", "pdf_sha256"), ("letters_letterbundle", "pdf", "pdf_sha256"))


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def psql(url: str, sql: str) -> list[list[str]]:
    done = subprocess.run(
        ["psql", "--no-psqlrc", "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return [line.split("\t") for line in done.stdout.splitlines() if line]


def table_counts(url: str) -> dict[str, int]:
    tables = [row[0] for row in psql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
    if not tables:
        return {}
    union = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM public.\"{t}\"" for t in tables)
    return {name: int(count) for name, count in psql(url, union)}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def media_hashes(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def backup(database_url: str, media_root: Path, backup_dir: Path) -> dict:
    backup_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(backup_dir / "database.dump"), database_url],
        check=True,
    )
    with tarfile.open(backup_dir / "media.tar", "w") as tar:
        if media_root.exists():
            tar.add(media_root, arcname="media")
    manifest = {"tables": table_counts(database_url), "media": media_hashes(media_root)}
    (backup_dir / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def restore(database_url: str, backup_dir: Path, media_target: Path) -> str:
    drill_name = f"{database_name(database_url)}_drill"
    admin_url = with_database(database_url, "postgres")
    psql(admin_url, f'DROP DATABASE IF EXISTS "{drill_name}"')
    psql(admin_url, f'CREATE DATABASE "{drill_name}"')
    drill_url = with_database(database_url, drill_name)
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", drill_url, str(backup_dir / "database.dump")],
        check=True,
    )
    media_target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(backup_dir / "media.tar") as tar:
        tar.extractall(media_target, filter="data")
    return drill_url


def compare(manifest: dict, drill_url: str, restored_media: Path) -> list[str]:
    problems = []
    counts = table_counts(drill_url)
    for table, count in manifest["tables"].items():
        if counts.get(table) != count:
            problems.append(f"table {table}: {count} rows backed up, {counts.get(table)} restored")
    hashes = media_hashes(restored_media)
    for name, digest in manifest["media"].items():
        if hashes.get(name) != digest:
            problems.append(f"media {name}: sha256 differs or missing after restore")
    for table, file_column, hash_column in PDF_TABLES:
        if table not in counts:
            continue
        rows = psql(drill_url, f"SELECT {file_column}, {hash_column} FROM {table} WHERE {file_column} <> ''")
        for name, recorded in rows:
            path = restored_media / name
            if not path.is_file():
                problems.append(f"{table}: {name} missing in the restored media")
            elif recorded and sha256(path) != recorded:
                problems.append(f"{table}: {name} sha256 differs from the database's")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--media-root", default=os.environ.get("MEDIA_ROOT", "var/media"))
    parser.add_argument("--backup-dir", default="")
    parser.add_argument("--work-dir", default="", help="where the restored media go (default: a new temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the drill database and directory")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL must name the PostgreSQL database to back up", file=sys.stderr)
        return 2
    work = Path(args.work_dir) if args.work_dir else Path(tempfile.mkdtemp(prefix="elip-drill-"))
    backup_dir = Path(args.backup_dir) if args.backup_dir else work / "backup"
    manifest = backup(args.database_url, Path(args.media_root), backup_dir)
    drill_url = restore(args.database_url, backup_dir, work / "restored")
    problems = compare(manifest, drill_url, work / "restored" / "media")
    tables, rows, files = len(manifest["tables"]), sum(manifest["tables"].values()), len(manifest["media"])
    if not args.keep:
        psql(with_database(args.database_url, "postgres"), f'DROP DATABASE IF EXISTS "{database_name(drill_url)}"')
        subprocess.run(["rm", "-rf", str(work / "restored")], check=False)
    if problems:
        print("\n".join(problems))
        print(f"DRILL FAILED: {len(problems)} difference(s)")
        return 1
    print(f"DRILL OK: {tables} tables, {rows} rows, {files} media files equal after restore (backup in {backup_dir})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
