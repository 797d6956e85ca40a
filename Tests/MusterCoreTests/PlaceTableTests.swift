import Foundation
import MusterDocuments
import Testing

/// The committed table, as the server reads it.
@Suite struct PlaceTableTests {
    static let table: PlaceTable = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../web/geo/places.tsv").standardized
        return try! PlaceTable(contentsOf: file)
    }()

    @Test(arguments: ["鹤岗", "鹤岗市", "Hegang", "hegang", "HEGANG", " 鹤 岗 ", "黑龙江鹤岗", "黑龙江省鹤岗市", "Hegang City", "Ｈｅｇａｎｇ"])
    func everySpellingOfACityFindsTheSamePlace(typed: String) throws {
        let place = try #require(Self.table.place(for: typed))
        #expect(place.name == "鹤岗市")
        #expect(place.province == "黑龙江省")
    }

    @Test func citiesFarApartSitFarApartOnTheMap() throws {
        let harbin = try #require(Self.table.place(for: "哈尔滨"))
        let shenzhen = try #require(Self.table.place(for: "深圳"))
        let urumqi = try #require(Self.table.place(for: "乌鲁木齐"))
        #expect(harbin.y < shenzhen.y)  // north is up
        #expect(urumqi.x < harbin.x)  // west is left
        #expect(try #require(Self.table.place(for: "北京")).name == "北京市")
        #expect(try #require(Self.table.place(for: "义乌")).province == "浙江省")
    }

    /// 海南 is the island province, not 海南藏族自治州; 吉林 the city, before the province.
    @Test func aNameOfTwoPlacesFindsTheOnePeopleMean() throws {
        #expect(try #require(Self.table.place(for: "海南")).name == "海南省")
        #expect(try #require(Self.table.place(for: "吉林")).name == "吉林市")
    }

    /// Taizhou is 台州 and 泰州: no flag rather than a wrong one.
    @Test(arguments: ["taizhou", "火星", "", "   ", "xx市"])
    func aNameOfNoPlaceOrOfTwoFindsNone(typed: String) {
        #expect(Self.table.place(for: typed) == nil)
    }
}
