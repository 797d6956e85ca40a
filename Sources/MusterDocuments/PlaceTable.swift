import Foundation

/// China's provinces and cities with their place on the red-flag map
/// (`web/geo/places.tsv`, made by `scripts/make-map.py`), and the way a city
/// as a member typed it finds one: 鹤岗, 鹤岗市, 黑龙江鹤岗 and Hegang all
/// find 鹤岗市. A name that could be two places finds none, so a flag is
/// never put in the wrong city: it is listed as not placed instead.
public struct PlaceTable: Sendable {
    public struct Place: Sendable, Hashable, Codable {
        public var code: String
        public var name: String
        public var province: String
        /// Where it is in `china.svg`'s viewBox.
        public var x: Double
        public var y: Double
    }

    private var byKey: [String: [Entry]] = [:]
    private var provinceNames: [String] = []

    private struct Entry: Sendable {
        var place: Place
        /// Lower wins when a name means more than one place: a city named for
        /// its city (鹤岗市) before a province, a province before a county-level city
        /// or a prefecture named otherwise (海南 is the island, not 海南藏族自治州).
        var rank: Int
    }

    /// The table's rows: adcode, name, short name, pinyin, province, level, x, y; `#` lines are comments.
    public init(tsv: String) {
        var provinces: Set<String> = []
        for line in tsv.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 8, let x = Double(fields[6]), let y = Double(fields[7]) else { continue }
            let (code, name, short, pinyin, province, level) = (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5])
            let rank = level == "city" && name.hasSuffix("市") ? 0 : level == "province" ? 1 : level == "county" ? 2 : 3
            let entry = Entry(place: Place(code: code, name: name, province: province, x: x, y: y), rank: rank)
            for key in Set([name, short, pinyin].map(Self.key)) where !key.isEmpty { byKey[key, default: []].append(entry) }
            if level == "province" {
                provinces.insert(name)
                provinces.insert(short)
            }
        }
        // Longest first: 内蒙古自治区 before 内蒙古.
        provinceNames = provinces.sorted { $0.count > $1.count }
    }

    /// Reads the table from a file, as the server does from its web folder.
    public init(contentsOf url: URL) throws {
        self.init(tsv: try String(contentsOf: url, encoding: .utf8))
    }

    /// The place `typed` names, or nil when it names none, or more than one.
    public func place(for typed: String) -> Place? {
        let key = Self.key(typed)
        guard !key.isEmpty else { return nil }
        if let found = best(key) { return found }
        // 黑龙江鹤岗, 广东省深圳市: the province first, then the city.
        for province in provinceNames where key.hasPrefix(Self.key(province)) && key.count > Self.key(province).count {
            let rest = String(key.dropFirst(Self.key(province).count))
            if let found = best(rest), found.province.hasPrefix(province.prefix(2)) { return found }
        }
        // "Hegang City", "hegang shi".
        for suffix in ["city", "shi"] where key.hasSuffix(suffix) && key.count > suffix.count + 1 {
            if let found = best(String(key.dropLast(suffix.count))) { return found }
        }
        return nil
    }

    private func best(_ key: String) -> Place? {
        guard let entries = byKey[key], let top = entries.map(\.rank).min() else { return nil }
        let winners = Set(entries.filter { $0.rank == top }.map(\.place))
        return winners.count == 1 ? winners.first : nil
    }

    /// What two spellings of one name share: no spaces or marks, lower case, half-width.
    static func key(_ text: String) -> String {
        var key = String.UnicodeScalarView()
        for scalar in text.lowercased().unicodeScalars {
            // Full-width Latin letters and digits (Ｈｅｇａｎｇ, typed with a Chinese keyboard) as ASCII.
            let folded = (0xFF01...0xFF5E).contains(scalar.value) ? Unicode.Scalar(scalar.value - 0xFEE0)! : scalar
            if CharacterSet.alphanumerics.contains(folded) { key.append(folded) }
        }
        return String(key).lowercased()
    }
}
