import GRDB
import GRDBSQLite

/// SQLite's `SQLITE_TRANSIENT`: SQLite copies a bound value before the bind call returns.
/// (The C macro is a cast of -1 and is not imported into Swift.)
private let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// A prepared statement bound and stepped through SQLite's C API, for the writer's hot path:
/// GRDB's `StatementArguments` box every value, which costs more than the insert itself.
///
/// Only valid inside the database access that made it.
struct RawStatement {
    /// Kept so that GRDB does not finalize the handle while it is in use.
    private let statement: Statement
    private let handle: OpaquePointer
    private let db: Database

    init(_ db: Database, _ sql: String) throws {
        self.statement = try db.cachedStatement(sql: sql)
        self.handle = statement.sqliteStatement
        self.db = db
    }

    func bind(_ index: Int32, _ value: Int64) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    func bind(_ index: Int32, _ text: String) throws {
        var text = text
        let code = text.withUTF8 { utf8 -> Int32 in
            guard let base = utf8.baseAddress, !utf8.isEmpty else {
                return sqlite3_bind_text(handle, index, "", 0, transient)
            }
            let chars = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
            return sqlite3_bind_text64(handle, index, chars, UInt64(utf8.count), transient, UInt8(SQLITE_UTF8))
        }
        try check(code)
    }

    func bind(_ index: Int32, _ bytes: [UInt8]) throws {
        let code = bytes.withUnsafeBytes { raw -> Int32 in
            guard let base = raw.baseAddress, !raw.isEmpty else {
                return sqlite3_bind_zeroblob(handle, index, 0)
            }
            return sqlite3_bind_blob64(handle, index, base, UInt64(raw.count), transient)
        }
        try check(code)
    }

    private func check(_ code: Int32) throws {
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage)
        }
    }

    /// Runs the statement to completion; throws SQLite's error if it did not complete.
    func run() throws {
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            let message = db.lastErrorMessage
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
        }
        sqlite3_reset(handle)
    }

    /// The row id of the last row inserted on this connection.
    var lastInsertedRowID: Int64 {
        db.lastInsertedRowID
    }
}
