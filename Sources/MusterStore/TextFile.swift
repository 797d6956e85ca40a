import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Text a secretary saved on an office PC, read whatever it was saved as.
///
/// Excel and WPS on a Chinese Windows save "CSV (逗号分隔)" and Notepad
/// saves "ANSI" in GBK, not UTF-8. A file is read as UTF-8 (with or without
/// the BOM Excel adds) when its bytes are valid UTF-8, otherwise as GB18030,
/// GBK's superset, converted by glibc's iconv. Valid UTF-8 is taken as
/// UTF-8: a GBK file of Chinese text is almost never valid UTF-8 as well.
public enum TextFile {
    /// What a file turned out to be.
    public enum Encoding: String, Sendable {
        case utf8 = "UTF-8"
        case gb18030 = "GB18030"
    }

    /// The text, and how it was encoded; nil when it is neither UTF-8 nor GB18030.
    public static func decode(_ data: Data) -> (text: String, encoding: Encoding)? {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, .utf8) }
        return gb18030(bytes).map { ($0, .gb18030) }
    }

    /// GB18030 to a String through iconv; nil on any byte sequence it does not define.
    static func gb18030(_ bytes: [UInt8]) -> String? {
        let converter = iconv_open("UTF-8", "GB18030")
        guard converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        // GB18030 takes 1, 2 or 4 bytes a character, UTF-8 at most 4: twice the input is room enough.
        var output = [UInt8](repeating: 0, count: bytes.count * 2 + 4)
        var input = bytes.map { CChar(bitPattern: $0) }
        let converted: Int? = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer: UnsafeMutablePointer<CChar>? = inBuffer.baseAddress
                var inLeft = inBuffer.count
                var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuffer.baseAddress!)
                    .assumingMemoryBound(to: CChar.self)
                var outLeft = outBuffer.count
                guard iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) != -1, inLeft == 0 else {
                    return nil
                }
                return outBuffer.count - outLeft
            }
        }
        guard let converted else { return nil }
        return String(validating: output[..<converted], as: UTF8.self)
    }
}
