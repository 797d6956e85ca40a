import Crypto
import Foundation
import GRDB
import MusterCore

/// A credential that can follow one session and do nothing else: what the
/// console gives the big screen, so the projector's browser never holds the
/// secretary's link.
///
/// It is `w.SESSION.MAC`, the MAC an HMAC-SHA256 of the session id under a
/// secret kept in the data file (made on first use). Nothing per screen is
/// stored: the server recomputes and compares.
extension MusterDatabase {
    /// The watch credential for a session.
    public func watchCredential(for session: SessionID) throws -> String {
        "w.\(session.rawValue).\(Self.base64URL(try mac(for: session)))"
    }

    /// The session a watch credential follows, or nil when it is not one (or forged).
    public func session(watchCredential credential: String) throws -> SessionID? {
        let parts = credential.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "w", let given = Self.data(base64URL: String(parts[2])) else { return nil }
        let session = SessionID(String(parts[1]))
        let expected = try mac(for: session)
        // Constant time: compare every byte whatever the first difference.
        guard given.count == expected.count else { return nil }
        let difference = zip(given, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) }
        return difference == 0 ? session : nil
    }

    /// Whether `text` has the shape of a watch credential (not a member's link token).
    public static func isWatchCredential(_ text: String) -> Bool { text.hasPrefix("w.") }

    private func mac(for session: SessionID) throws -> Data {
        let key = SymmetricKey(data: try secret(named: "watch"))
        return Data(HMAC<SHA256>.authenticationCode(for: Data("watch:\(session.rawValue)".utf8), using: key))
    }

    /// A named random secret, made on first use and kept in the data file.
    func secret(named name: String) throws -> Data {
        try writer.write { db in
            if let value = try Data.fetchOne(db, sql: "SELECT value FROM secret WHERE name = ?", arguments: [name]) {
                return value
            }
            let value = Data(random.bytes(32))
            try db.execute(sql: "INSERT INTO secret (name, value) VALUES (?, ?)", arguments: [name, value])
            return value
        }
    }

    private static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func data(base64URL text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
