"""The persistent store: the emulator's state in an SQLite file in a data directory.

``create_app(data_dir=...)`` / ``foundry-agents emulator --data-dir DIR`` keep agents created
through the API, their versions, conversations and their items, and stored responses in
``DIR/emulator.sqlite3``, so they survive a restart. Seeded agents (built-ins, the agents file)
are configuration and are not written; deleting one is (a row in ``deleted_agent_versions``).

The database is the source of truth (nothing is cached), in WAL mode, with one connection per
store guarded by a lock; every write is one transaction, so a turn's response and its
conversation items are kept together or not at all, and an emulator killed with ``SIGKILL``
keeps every answered request. Several stores (even processes) may share one file.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .files import file_not_found, quota_exceeded
from .model import AgentVersionRecord, FileRecord, ResponseRecord
from .state import (
    CHUNK,
    Store,
    agent_not_found,
    consent_not_found,
    conversation_not_found,
    item_not_found,
    new_conversation_row,
    response_not_found,
    version_key,
)

DB_NAME = "emulator.sqlite3"
#: Bump with a migration in :data:`_MIGRATIONS` whenever the tables change.
SCHEMA_VERSION = 2
#: The folder (inside the data dir) holding the files' content, one file per id.
FILES_DIR = "files"
BUSY_TIMEOUT_MS = 10_000

_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE agent_versions (
    name TEXT NOT NULL, version TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (name, version));
CREATE TABLE deleted_agent_versions (name TEXT NOT NULL, version TEXT NOT NULL, PRIMARY KEY (name, version));
CREATE TABLE responses (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE conversations (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, metadata TEXT NOT NULL);
CREATE TABLE items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    item_id TEXT,
    body TEXT NOT NULL);
CREATE INDEX items_by_conversation ON items (conversation_id, seq);
"""

#: Version -> the statements that bring a database of the version before it there.
_MIGRATIONS: dict[int, str] = {
    2: """
CREATE TABLE files (
    id TEXT PRIMARY KEY, container_id TEXT, purpose TEXT NOT NULL, bytes INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX files_by_container ON files (container_id, purpose);
CREATE TABLE consents (id TEXT PRIMARY KEY, server_label TEXT NOT NULL, given INTEGER NOT NULL DEFAULT 0);
""",
}


class DataDirError(Exception):
    """The data directory cannot be used (not creatable, a foreign or damaged file, a newer schema)."""


def _dump(value: Any) -> str:
    # default=repr: an in-process agent's options may hold anything; they only steer behaviour.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=repr)


def _agent_from(body: str) -> AgentVersionRecord:
    return AgentVersionRecord(**json.loads(body))


def _file_from(body: str) -> FileRecord:
    return FileRecord(**json.loads(body))


def _record_from(body: str) -> ResponseRecord:
    fields = json.loads(body)
    fields["agent"] = AgentVersionRecord(**fields["agent"])
    return ResponseRecord(**fields)


class SqliteStore(Store):
    """A :class:`~.state.Store` in ``data_dir/emulator.sqlite3``; open it with :meth:`open`."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        super().__init__()
        self.path = path
        self._conn = conn
        self._lock = threading.Lock()
        self._seeded: dict[str, dict[str, AgentVersionRecord]] = {}

    @classmethod
    def open(cls, data_dir: str | Path) -> SqliteStore:
        """Open (creating if needed) the store in ``data_dir``; :class:`DataDirError` if unusable."""
        folder = Path(data_dir)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / FILES_DIR).mkdir(exist_ok=True)
        except OSError as exc:
            raise DataDirError(f"cannot use data dir {folder}: {exc.strerror or exc}") from exc
        path = folder / DB_NAME
        try:
            conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            raise DataDirError(f"cannot open {path}: {exc}") from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            _migrate(conn, path)  # first: a foreign file is refused before anything is written to it
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: durable across process crashes
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise DataDirError(
                f"{path} is not a usable emulator database ({exc}); move it away or choose another data dir"
            ) from exc
        except DataDirError:
            conn.close()
            raise
        return cls(conn, path)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @property
    def files_dir(self) -> Path:
        return self.path.parent / FILES_DIR

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (taken at once, so concurrent writers queue instead of failing)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # -- agents --------------------------------------------------------------------------------

    def seed_agent(self, agent: AgentVersionRecord) -> None:
        self._seeded.setdefault(agent.name, {})[agent.version] = agent

    def add_agent_version(self, agent: AgentVersionRecord) -> AgentVersionRecord:
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO agent_versions (name, version, body) VALUES (?, ?, ?)",
                (agent.name, agent.version, _dump(dataclasses.asdict(agent))),
            )
        return agent

    def versions(self, name: str) -> list[AgentVersionRecord]:
        with self._lock:
            rows = self._conn.execute("SELECT body FROM agent_versions WHERE name = ?", (name,)).fetchall()
            seeded = self._seeded.get(name)
            gone = (
                {v for (v,) in self._conn.execute("SELECT version FROM deleted_agent_versions WHERE name = ?", (name,))}
                if seeded
                else set()
            )
        merged = {v: a for v, a in (seeded or {}).items() if v not in gone}
        merged.update((a.version, a) for a in map(_agent_from, (body for (body,) in rows)))
        return sorted(merged.values(), key=version_key)

    def agent_names(self) -> list[str]:
        stored = {name for (name,) in self._read("SELECT DISTINCT name FROM agent_versions")}
        return sorted(stored | set(self._seeded))

    def delete_agent_version(self, name: str, version: str) -> None:
        with self._write() as conn:
            stored = conn.execute("DELETE FROM agent_versions WHERE name = ? AND version = ?", (name, version)).rowcount
            if self._seeded_visible(conn, name, version):
                self._forget_seeded(conn, name, [version])
            elif not stored:
                raise agent_not_found(name, version)

    def delete_agent(self, name: str) -> None:
        with self._write() as conn:
            stored = conn.execute("DELETE FROM agent_versions WHERE name = ?", (name,)).rowcount
            seeded = [v for v in self._seeded.get(name, {}) if self._seeded_visible(conn, name, v)]
            if not stored and not seeded:
                raise agent_not_found(name)
            self._forget_seeded(conn, name, seeded)

    def _seeded_visible(self, conn: sqlite3.Connection, name: str, version: str) -> bool:
        if version not in self._seeded.get(name, {}):
            return False
        row = conn.execute("SELECT 1 FROM deleted_agent_versions WHERE name = ? AND version = ?", (name, version))
        return row.fetchone() is None

    @staticmethod
    def _forget_seeded(conn: sqlite3.Connection, name: str, versions: list[str]) -> None:
        conn.executemany(
            "INSERT OR IGNORE INTO deleted_agent_versions (name, version) VALUES (?, ?)", [(name, v) for v in versions]
        )

    # -- responses -----------------------------------------------------------------------------

    def response(self, response_id: str) -> ResponseRecord:
        rows = self._read("SELECT body FROM responses WHERE id = ?", (response_id,))
        if not rows:
            raise response_not_found(response_id)
        return _record_from(rows[0][0])

    def delete_response(self, response_id: str) -> None:
        with self._write() as conn:
            if not conn.execute("DELETE FROM responses WHERE id = ?", (response_id,)).rowcount:
                raise response_not_found(response_id)

    def commit_turn(self, record: ResponseRecord | None, conversation_id: str | None, items: list[dict[str, Any]]) -> None:
        with self._write() as conn:
            if conversation_id is not None:
                self._append(conn, conversation_id, items)
            if record is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO responses (id, body) VALUES (?, ?)",
                    (record.id, _dump(dataclasses.asdict(record))),
                )

    # -- conversations -------------------------------------------------------------------------

    def new_conversation(self, metadata: dict[str, Any] | None, items: list[dict[str, Any]]) -> dict[str, Any]:
        conv = new_conversation_row(metadata)
        with self._write() as conn:
            conn.execute(
                "INSERT INTO conversations (id, created_at, metadata) VALUES (?, ?, ?)",
                (conv["id"], conv["created_at"], _dump(conv["metadata"])),
            )
            self._append(conn, conv["id"], items)
        return conv

    def conversation(self, conversation_id: str) -> dict[str, Any]:
        rows = self._read("SELECT created_at, metadata FROM conversations WHERE id = ?", (conversation_id,))
        if not rows:
            raise conversation_not_found(conversation_id)
        return {"id": conversation_id, "created_at": rows[0][0], "metadata": json.loads(rows[0][1])}

    def update_conversation(self, conversation_id: str, metadata: dict[str, Any]) -> dict[str, Any]:
        with self._write() as conn:
            sql = "UPDATE conversations SET metadata = ? WHERE id = ? RETURNING created_at"
            row = conn.execute(sql, (_dump(metadata), conversation_id)).fetchone()
            if row is None:
                raise conversation_not_found(conversation_id)
        return {"id": conversation_id, "created_at": row[0], "metadata": dict(metadata)}

    def delete_conversation(self, conversation_id: str) -> None:
        with self._write() as conn:
            if not conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,)).rowcount:
                raise conversation_not_found(conversation_id)

    def conversation_items(self, conversation_id: str) -> list[dict[str, Any]]:
        with self._lock:
            self._check_conversation(self._conn, conversation_id)
            rows = self._conn.execute(
                "SELECT body FROM items WHERE conversation_id = ? ORDER BY seq", (conversation_id,)
            ).fetchall()
        return [json.loads(body) for (body,) in rows]

    def add_items(self, conversation_id: str, items: list[dict[str, Any]]) -> None:
        with self._write() as conn:
            self._append(conn, conversation_id, items)

    def conversation_item(self, conversation_id: str, item_id: str) -> dict[str, Any]:
        with self._lock:
            self._check_conversation(self._conn, conversation_id)
            row = self._conn.execute(
                "SELECT body FROM items WHERE conversation_id = ? AND item_id = ? ORDER BY seq LIMIT 1",
                (conversation_id, item_id),
            ).fetchone()
        if row is None:
            raise item_not_found(conversation_id, item_id)
        return dict(json.loads(row[0]))

    def delete_item(self, conversation_id: str, item_id: str) -> None:
        with self._write() as conn:
            self._check_conversation(conn, conversation_id)
            row = conn.execute(
                "SELECT seq FROM items WHERE conversation_id = ? AND item_id = ? ORDER BY seq LIMIT 1",
                (conversation_id, item_id),
            ).fetchone()
            if row is None:
                raise item_not_found(conversation_id, item_id)
            conn.execute("DELETE FROM items WHERE seq = ?", row)

    # -- files ---------------------------------------------------------------------------------

    def add_files(self, files: list[tuple[FileRecord, bytes]]) -> None:
        # Content first (each under a temporary name, then renamed), rows second: a crash in
        # between leaves an orphan file, never a row without its content.
        written: list[Path] = []
        try:
            for record, content in files:
                target = self.files_dir / record.id
                temporary = target.with_suffix(".part")
                temporary.write_bytes(content)
                os.replace(temporary, target)
                written.append(target)
            with self._write() as conn:
                used = conn.execute("SELECT coalesce(sum(bytes), 0) FROM files").fetchone()[0]
                if used + sum(len(content) for _, content in files) > self.files_quota:
                    raise quota_exceeded(self.files_quota)
                conn.executemany(
                    "INSERT INTO files (id, container_id, purpose, bytes, body) VALUES (?, ?, ?, ?, ?)",
                    [(r.id, r.container_id, r.purpose, r.bytes, _dump(dataclasses.asdict(r))) for r, _ in files],
                )
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise

    def file(self, file_id: str) -> FileRecord:
        rows = self._read("SELECT body FROM files WHERE id = ?", (file_id,))
        if not rows:
            raise file_not_found(file_id)
        return _file_from(rows[0][0])

    def file_chunks(self, file_id: str) -> Iterator[bytes]:
        self.file(file_id)
        try:
            handle = open(self.files_dir / file_id, "rb")  # noqa: SIM115 - closed by the generator
        except FileNotFoundError:
            raise file_not_found(file_id) from None
        return _chunks(handle)

    def files(self, *, purpose: str | None = None, container_id: str | None = None) -> list[FileRecord]:
        where = "container_id IS NULL" if container_id is None else "container_id = ?"
        params: tuple[Any, ...] = () if container_id is None else (container_id,)
        if purpose is not None:
            where += " AND purpose = ?"
            params += (purpose,)
        rows = self._read(f"SELECT body FROM files WHERE {where} ORDER BY rowid", params)
        return [_file_from(body) for (body,) in rows]

    def delete_file(self, file_id: str) -> None:
        with self._write() as conn:
            if not conn.execute("DELETE FROM files WHERE id = ?", (file_id,)).rowcount:
                raise file_not_found(file_id)
        (self.files_dir / file_id).unlink(missing_ok=True)

    # -- consent -------------------------------------------------------------------------------

    def add_consent(self, consent_id: str, server_label: str) -> None:
        with self._write() as conn:
            conn.execute("INSERT OR IGNORE INTO consents (id, server_label) VALUES (?, ?)", (consent_id, server_label))

    def give_consent(self, consent_id: str) -> str:
        with self._write() as conn:
            row = conn.execute("UPDATE consents SET given = 1 WHERE id = ? RETURNING server_label", (consent_id,))
            found = row.fetchone()
            if found is None:
                raise consent_not_found(consent_id)
        return str(found[0])

    def consent_given(self, server_label: str) -> bool:
        return bool(self._read("SELECT 1 FROM consents WHERE server_label = ? AND given = 1", (server_label,)))

    @staticmethod
    def _check_conversation(conn: sqlite3.Connection, conversation_id: str) -> None:
        if conn.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone() is None:
            raise conversation_not_found(conversation_id)

    def _append(self, conn: sqlite3.Connection, conversation_id: str, items: list[dict[str, Any]]) -> None:
        self._check_conversation(conn, conversation_id)
        conn.executemany(
            "INSERT INTO items (conversation_id, item_id, body) VALUES (?, ?, ?)",
            [(conversation_id, item.get("id"), _dump(item)) for item in items],
        )


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Create the tables in a new file; refuse a foreign database or a newer schema."""
    conn.execute("BEGIN IMMEDIATE")  # two emulators starting on one new dir: the second waits, then reads
    try:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            for statement in filter(str.strip, _SCHEMA.split(";")):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (1,))
            version = 1
        else:
            version = _check_version(conn, path, tables)
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in filter(str.strip, _MIGRATIONS[target].split(";")):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (target,))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _chunks(handle: Any) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def _check_version(conn: sqlite3.Connection, path: Path, tables: set[str]) -> int:
    if "schema_version" not in tables:
        raise DataDirError(f"{path} is an SQLite database but not the emulator's (no schema_version table)")
    version = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    if not isinstance(version, int):
        raise DataDirError(f"{path} has no valid schema version; move it away or choose another data dir")
    if version > SCHEMA_VERSION:
        raise DataDirError(
            f"{path} was written by a newer foundry-agents (schema {version}; this version reads up to "
            f"{SCHEMA_VERSION}): upgrade foundry-agents or choose another data dir"
        )
    return version
