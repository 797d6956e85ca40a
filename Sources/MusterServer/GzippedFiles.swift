import Foundation

/// The page's files gzipped, for browsers that accept it: a member's page is a
/// third of its size on the wire, which a phone on a weak network feels, and a
/// county's thousands of first loads cost the server a third of the bytes.
///
/// Each file is compressed at its first request and kept; it is compressed again
/// only when the file on disk changes (its size, time or inode differ), so a web
/// root updated under a running server is never served stale. Only text types,
/// and only where gzip saves a tenth or more. Bounded: files of at most
/// `maxFileBytes` (compressing one holds the service thread up once: 4 ms for the
/// largest the page has, the map's 75 KB outline), at most `maxEntries` files and
/// `maxBytes` kept; past that, files are served as they are. Service thread only.
final class GzippedFiles {
    /// One file's gzip and when the file was last changed (seconds, as lws's ETag takes it).
    final class Entry {
        let bytes: [UInt8]
        let modified: UInt32

        init(bytes: [UInt8], modified: UInt32) {
            self.bytes = bytes
            self.modified = modified
        }
    }

    /// What identifies one version of a file on disk.
    private struct Version: Equatable {
        var size: Int
        var seconds: Int
        var nanoseconds: Int
        var inode: UInt
        var device: UInt

        init(_ status: stat) {
            size = Int(status.st_size)
            seconds = Int(status.st_mtim.tv_sec)
            nanoseconds = Int(status.st_mtim.tv_nsec)
            inode = UInt(status.st_ino)
            device = UInt(status.st_dev)
        }
    }

    /// The extensions worth compressing: text. Images and fonts are compressed already.
    static let compressible: Set<String> = ["html", "js", "mjs", "css", "svg", "tsv", "json", "txt", "xml", "map"]

    let maxEntries: Int
    let maxBytes: Int
    let maxFileBytes: Int
    /// By path: the version compressed, and its gzip (nil: not worth it, or no room).
    private var entries: [String: (version: Version, entry: Entry?)] = [:]
    /// The bytes of gzip kept.
    private(set) var storedBytes = 0
    /// Files compressed so far (a file that changed counts again).
    private(set) var compressions = 0

    init(maxEntries: Int = 256, maxBytes: Int = 16 << 20, maxFileBytes: Int = 256 << 10) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
        self.maxFileBytes = maxFileBytes
    }

    /// The gzip of the regular file at `path`, or nil where it is to be served as it is.
    func gzipped(path: String) -> Entry? {
        guard let dot = path.lastIndex(of: "."), case let type = path[path.index(after: dot)...],
            !type.contains("/"), Self.compressible.contains(type.lowercased())
        else { return nil }
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, Int(status.st_size) <= maxFileBytes else {
            return nil
        }
        let kept = entries[path]
        if let kept, kept.version == Version(status) { return kept.entry }
        guard kept != nil || entries.count < maxEntries else { return nil }
        guard let (contents, version) = Self.contents(of: path, maxBytes: maxFileBytes) else { return nil }
        compressions += 1
        var entry: Entry?
        if let gzip = Gzip.compress(contents), gzip.count <= contents.count - contents.count / 10,
            storedBytes - (kept?.entry?.bytes.count ?? 0) + gzip.count <= maxBytes
        {
            entry = Entry(bytes: gzip, modified: UInt32(truncatingIfNeeded: version.seconds))
        }
        storedBytes += (entry?.bytes.count ?? 0) - (kept?.entry?.bytes.count ?? 0)
        entries[path] = (version, entry)
        return entry
    }

    /// A file's contents and the version they are (both from one open file, so they agree).
    private static func contents(of path: String, maxBytes: Int) -> ([UInt8], Version)? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, Int(status.st_size) <= maxBytes else {
            return nil
        }
        var contents = [UInt8](repeating: 0, count: Int(status.st_size))
        var filled = 0
        while filled < contents.count {
            let got = contents.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { return nil }  // an error, or the file shrank while read: the next request tries again
            filled += got
        }
        return (contents, Version(status))
    }
}
