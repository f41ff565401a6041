import BosunStore
import GRDB
import GRDBSQLite

/// The file layout, how the file is opened, and how it is read back.
///
/// ```sql
/// meta(id = 1, revision)                      -- the latest committed revision
/// kv(id, key, create_revision, mod_revision, value)
/// ```
///
/// `kv` has no index on `key`: the writer's in-memory index maps each key to its row id, so a
/// create appends at the end of the table and an update or delete touches only its row's page.
/// `PRAGMA user_version` holds the schema version.
extension SQLiteBackend {
    /// The schema version this code writes and reads.
    static let schemaVersion: Int32 = 1

    /// Page size for new files. A ~2 KB object fits three to a page (with 4 KB pages only one
    /// fits, which doubles the file and the bytes read on start).
    static let pageSize = 8192

    static func openDatabase(path: String) throws(StorageError) -> DatabaseQueue {
        var configuration = Configuration()
        configuration.label = "BosunSQLite"
        // The pragmas below are set by hand: GRDB's `.wal` would set synchronous=NORMAL.
        configuration.journalMode = .default
        configuration.busyMode = .immediateError
        configuration.prepareDatabase { db in
            // Before the first access to the file: in a new file, page_size applies; in
            // EXCLUSIVE mode the WAL index lives in heap memory (no -shm file) and the lock is
            // held until close, so no other connection can use the file meanwhile.
            try db.execute(sql: "PRAGMA page_size = \(pageSize)")
            try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE")
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            guard mode?.lowercased() == "wal" else {
                throw StorageError(.io, "SQLite store \(path): could not switch to WAL mode (got \(mode ?? "nothing"))")
            }
            // FULL: every COMMIT fsyncs the WAL, so an acknowledged commit survives power loss.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA cache_size = -16384")
            // Checkpoint every ~32 MB of WAL rather than every 1000 pages: fewer fsyncs of the
            // database file under sustained writes; restart replays at most that much WAL.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(32 << 20 / pageSize)")
            // After one unusually large batch, give the space back once the WAL is checkpointed.
            try db.execute(sql: "PRAGMA journal_size_limit = \(64 << 20)")
        }
        do {
            return try DatabaseQueue(path: path, configuration: configuration)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            throw StorageError(.io, "SQLite store \(path) is in use by another backend or process")
        } catch {
            throw ioError("opening \(path)", error)
        }
    }

    /// Creates the schema if missing, takes the file's exclusive lock, and reads every key's
    /// revisions into memory. Also returns SQLite's row size limit.
    static func prepareSchemaAndLoadIndex(_ database: DatabaseQueue) throws(StorageError) -> (Index, Int) {
        do {
            return try database.writeWithoutTransaction { db in
                // EXCLUSIVE takes the write lock now; EXCLUSIVE locking mode keeps it until close.
                try db.beginTransaction(.exclusive)
                do {
                    let version = try Int32.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                    if version > schemaVersion {
                        throw StorageError(.io, "SQLite store \(database.path) has schema version \(version); this Bosun reads up to \(schemaVersion)")
                    }
                    if version < schemaVersion {
                        try createSchema(db)
                    }
                    let index = try loadIndex(db)
                    try db.commit()
                    return (index, Int(sqlite3_limit(db.sqliteConnection, SQLITE_LIMIT_LENGTH, -1)))
                } catch {
                    try? db.rollback()
                    throw error
                }
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            throw StorageError(.io, "SQLite store \(database.path) is in use by another backend or process")
        } catch {
            throw ioError("opening \(database.path)", error)
        }
    }

    private static func createSchema(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS meta (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                revision INTEGER NOT NULL
            );
            INSERT OR IGNORE INTO meta (id, revision) VALUES (1, 0);
            CREATE TABLE IF NOT EXISTS kv (
                id INTEGER PRIMARY KEY,
                key TEXT NOT NULL,
                create_revision INTEGER NOT NULL,
                mod_revision INTEGER NOT NULL,
                value BLOB NOT NULL
            );
            PRAGMA user_version = \(schemaVersion);
            """)
    }

    /// Every key's row id and revisions, and the latest revision.
    private static func loadIndex(_ db: Database) throws -> Index {
        var index = Index()
        index.revision = try Int64.fetchOne(db, sql: "SELECT revision FROM meta WHERE id = 1") ?? 0
        let statement = try db.makeStatement(sql: "SELECT id, key, create_revision, mod_revision FROM kv")
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        var maxRevision: Int64 = 0
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage) }
            let key = columnString(handle, 1)
            let state = KeyState(
                rowID: sqlite3_column_int64(handle, 0),
                createRevision: sqlite3_column_int64(handle, 2),
                modRevision: sqlite3_column_int64(handle, 3))
            guard index.keys.updateValue(state, forKey: key) == nil else {
                throw StorageError(.io, "SQLite store is corrupt: key \(key) is stored twice")
            }
            maxRevision = max(maxRevision, state.modRevision)
        }
        // The meta row is written in the same transaction as the rows, so this only matters for
        // a damaged file; never hand out a revision that a stored row already has.
        index.revision = max(index.revision, maxRevision)
        return index
    }

    /// Every stored value and the revision they are at, in one read transaction.
    static func readSnapshot(_ db: Database) throws -> StorageSnapshot {
        try db.beginTransaction(.deferred)
        defer { try? db.commit() }
        let revision = try Int64.fetchOne(db, sql: "SELECT revision FROM meta WHERE id = 1") ?? 0
        var values: [StoredValue] = []
        let statement = try db.makeStatement(sql: "SELECT key, create_revision, mod_revision, value FROM kv")
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage) }
            values.append(StoredValue(
                key: columnString(handle, 0),
                value: columnBytes(handle, 3),
                createRevision: sqlite3_column_int64(handle, 1),
                modRevision: sqlite3_column_int64(handle, 2)))
        }
        return StorageSnapshot(values: values, revision: revision)
    }

    private static func columnString(_ handle: OpaquePointer, _ column: Int32) -> String {
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    private static func columnBytes(_ handle: OpaquePointer, _ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let blob = sqlite3_column_blob(handle, column) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: blob, count: count))
    }
}
