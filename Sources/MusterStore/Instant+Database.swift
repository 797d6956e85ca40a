import GRDB
import MusterCore

// Times are stored as ISO-8601 text in UTC with milliseconds: exact, sortable,
// and readable in the `sqlite3` shell.
extension Instant: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { iso8601.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Instant? {
        String.fromDatabaseValue(dbValue).flatMap { Instant(iso8601: $0) }
    }
}

extension Identifier: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { rawValue.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Identifier? {
        String.fromDatabaseValue(dbValue).map(Identifier.init(rawValue:))
    }
}
