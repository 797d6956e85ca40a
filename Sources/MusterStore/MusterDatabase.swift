import Foundation
import GRDB
import MusterCore

/// The Muster database: branches, members, sessions and the event log.
///
/// A `Sendable` value around a GRDB writer; every method is one transaction,
/// so a refused request changes nothing. Pass it in; there is no shared instance.
public struct MusterDatabase: Sendable {
    let writer: any DatabaseWriter
    let random: RandomSource
    let now: @Sendable () -> Instant
    /// A read-only connection of the server's own for links' tokens (see `withLookupConnection`).
    var lookups: (any DatabaseReader)?

    /// - Parameters:
    ///   - random: where ids and tokens come from (`.system` unless testing).
    ///   - now: the clock for `createdAt` stamps (the command line passes the system's).
    public init(
        _ writer: any DatabaseWriter, random: RandomSource = .system,
        now: @escaping @Sendable () -> Instant
    ) throws {
        self.writer = writer
        self.random = random
        self.now = now
        try Self.migrator.migrate(writer)
    }

    /// Opens (or creates) the database file at `path`.
    ///
    /// WAL lets exports read while the server writes; `synchronous=FULL`
    /// makes every commit durable before it returns, which acks rely on.
    /// `secure_delete` zeroes what is deleted, so freed pages keep nothing.
    /// The file is made readable by its owner only (SQLite gives the WAL and
    /// its index the main file's mode).
    public static func open(
        path: String, random: RandomSource = .system, now: @escaping @Sendable () -> Instant
    ) throws -> MusterDatabase {
        try ownerOnly(path)
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        configuration.busyMode = .timeout(5)
        let pool = try DatabasePool(path: path, configuration: configuration)
        let database = try MusterDatabase(pool, random: random, now: now)
        try pool.writeWithoutTransaction { db in
            // GRDB turns its writer to `synchronous=NORMAL` as it enters WAL mode, after
            // `prepareDatabase`: a commit would then reach the disk only at a checkpoint, and a
            // power cut could take acknowledged events with it. The writer is set back here.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Old page images (a dropped table's among them) leave the WAL.
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        return database
    }

    /// This database with a read-only connection of its own for `member(token:)`,
    /// for a server: borrowing one of the pool's readers cost as much as the read
    /// itself, and a crowd's hellos make thousands of them a second. The server
    /// reads tokens on one thread, so one connection is enough. In memory: unchanged.
    public func withLookupConnection() throws -> MusterDatabase {
        guard let pool = writer as? DatabasePool else { return self }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        var database = self
        database.lookups = try DatabaseQueue(path: pool.path, configuration: configuration)
        return database
    }

    /// Folds the write-ahead log into the file and empties it, then closes the file's
    /// connections: what is saved is then in the file itself, for whoever copies it, and
    /// the next start has no log to read back. (SQLite does this as its last connection
    /// closes, but GRDB closes a pool's writer before its readers, which cannot.)
    /// Throws, closing nothing, while another connection is reading.
    public func close() throws {
        _ = try writer.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        try lookups?.close()
        try writer.close()
    }

    /// Creates the file with mode 0600, or narrows an existing one to it.
    private static func ownerOnly(_ path: String) throws {
        let descriptor = Foundation.open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StoreError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { Foundation.close(descriptor) }
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            chmod(path + suffix, 0o600)
        }
    }

    /// An empty database in memory, for tests.
    public static func inMemory(
        random: RandomSource = .seeded(1), now: @escaping @Sendable () -> Instant
    ) throws -> MusterDatabase {
        try MusterDatabase(DatabaseQueue(), random: random, now: now)
    }

    /// Shipped migrations are never edited: add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "branch") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull().unique()
                t.column("rules", .text).notNull()
                t.column("createdAt", .text).notNull()
            }
            try db.create(table: "member") { t in
                t.primaryKey("id", .text)
                t.belongsTo("branch", onDelete: .restrict).notNull()
                t.column("name", .text).notNull()
                t.column("status", .text).notNull()
                t.column("city", .text)
                t.column("secretary", .boolean).notNull()
                t.column("tokenHash", .blob).notNull().unique()
                t.column("createdAt", .text).notNull()
                t.uniqueKey(["branchId", "name"])
            }
            try db.create(table: "session") { t in
                t.primaryKey("id", .text)
                t.belongsTo("branch", onDelete: .restrict).notNull()
                t.column("title", .text).notNull()
                t.column("startsAt", .text).notNull()
                t.column("setup", .text).notNull()
                t.column("createdAt", .text).notNull()
            }
            try db.create(table: "event") { t in
                t.column("sessionId", .text).notNull().references("session", onDelete: .restrict)
                t.column("seq", .integer).notNull()
                t.column("at", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("body", .text).notNull()
                t.primaryKey(["sessionId", "seq"])
            }
            try db.create(table: "ballotCount") { t in
                t.column("sessionId", .text).notNull().references("session", onDelete: .restrict)
                t.column("vote", .text).notNull()
                t.column("choice", .text).notNull()
                t.column("count", .integer).notNull()
                t.primaryKey(["sessionId", "vote", "choice"])
            }
        }
        // The command each event answered, so a resent command is recognised
        // even after a restart (the page resends its outbox after a drop).
        migrator.registerMigration("v2-command-ids") { db in
            try db.alter(table: "event") { t in
                t.add(column: "callerId", .text)
                t.add(column: "commandId", .text)
            }
        }
        // Secret ballots' running counts were kept on disk, updated in each voter's
        // own commit: replaying the WAL showed who chose what. They now live in
        // memory only (see `SecretBallot`); the table and every page it used go.
        migrator.registerMigration("v3-no-ballot-counts") { db in
            try db.drop(table: "ballotCount")
        }
        // Every replaced link, in order: a running server polls this cheaply and
        // closes the sockets still using an old token (`linksReplaced(after:)`).
        migrator.registerMigration("v4-link-revocations") { db in
            try db.create(table: "linkRevocation") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("memberId", .text).notNull()
                t.column("at", .text).notNull()
            }
        }
        // The server finds a branch's sessions by kind of event without replaying them.
        migrator.registerMigration("v5-event-kind-index") { db in
            try db.create(index: "event_by_session_kind", on: "event", columns: ["sessionId", "kind"])
        }
        // Server secrets (the key of the big screen's watch credentials).
        migrator.registerMigration("v6-secrets") { db in
            try db.create(table: "secret") { t in
                t.primaryKey("name", .text)
                t.column("value", .blob).notNull()
            }
        }
        // Times in the minutes, the sheets and `--starts` are the branch's, not the server's.
        migrator.registerMigration("v7-branch-time-zone") { db in
            try db.alter(table: "branch") { t in
                t.add(column: "timeZone", .text).notNull().defaults(to: Branch.defaultTimeZone)
            }
        }
        registerOfficeMigrations(&migrator)
        registerOrganisationMigrations(&migrator)
        return migrator
    }
}

extension MusterDatabase {
    /// The journal mode and `synchronous` level in force on the connection
    /// that commits (a pool's readers may differ), for checks.
    public func pragmas() throws -> (journalMode: String, synchronous: Int) {
        try writer.writeWithoutTransaction { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            )
        }
    }
}
