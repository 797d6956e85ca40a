import Crypto
import Foundation

/// The secret in a member's personal link (`…/#t=TOKEN`).
///
/// 144 random bits, written as 24 URL-safe base-64 characters. Only its
/// SHA-256 is stored: a stolen database file does not let anyone in. A
/// plain hash is enough (no slow KDF) because the token is random, not a
/// password a person chose.
public enum LinkToken {
    public static let byteCount = 18

    public static func generate(using random: RandomSource) -> String {
        Data(random.bytes(byteCount)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
    }

    public static func hash(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }

    /// The link a member taps: the token rides in the fragment, which
    /// browsers never send to a server, so it stays out of access logs.
    public static func link(baseURL: String, token: String) -> String {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        return "\(base)/#t=\(token)"
    }
}
