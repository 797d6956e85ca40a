import CLibWebSockets
import Foundation

/// lws's file operations for the page's mounts, with gzip: a file a browser
/// takes gzipped is read from `GzippedFiles`, and lws answers it with
/// `content-encoding: gzip` (it does for a file opened as
/// `LWS_FOP_FLAG_COMPR_IS_GZIP`). Everything else is lws's as before: types,
/// the ETag and 304, HEAD, the 301 that adds a slash, 404, and every other
/// file opened and read by lws's own operations. Debian's lws is built
/// without its own compression, so this is the way in that it leaves.
///
/// lws hands a path to operations of an application's only where the path
/// holds their signature (as its zip support does with `.zip/`): the page's
/// mounts point at `<root>/@muster`, a folder that does not exist, and
/// `open` takes the signature out again. Service thread only, as lws is.
final class PageFileOperations {
    /// What a page mount's origin ends in; see `origin(_:)`.
    static let signature = "@muster/"

    let files = GzippedFiles()
    /// The operations lws is given (`info.fops`); they find this object through `owner`.
    let table: UnsafeMutablePointer<muster_file_ops_t>
    private let signatureText: UnsafeMutablePointer<CChar>

    init() {
        signatureText = strdup(Self.signature)!
        table = .allocate(capacity: 1)
        table.initialize(to: muster_file_ops_t())
        table.pointee.ops.open = musterOpenPageFile
        table.pointee.ops.close = musterCloseGzip
        table.pointee.ops.seek_cur = musterSeekGzip
        table.pointee.ops.read = musterReadGzip
        table.pointee.ops.write = musterWriteGzip
        table.pointee.ops.fi.0 = lws_fops_index(sig: UnsafePointer(signatureText), len: UInt8(Self.signature.utf8.count))
        table.pointee.owner = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        table.deallocate()
        free(signatureText)
    }

    /// What lws is given as `info.fops`.
    var operations: UnsafePointer<lws_plat_file_ops> {
        UnsafeRawPointer(table).assumingMemoryBound(to: lws_plat_file_ops.self)
    }

    /// The origin to give a mount of the folder `root`, so that its files are opened here.
    static func origin(_ root: String) -> String {
        (root.hasSuffix("/") ? root : root + "/") + signature.dropLast()
    }

    /// The file on disk that lws's `path` names: the signature taken out. `virtualPart` is where
    /// lws found the path to go on after the signature (a pointer into `path`).
    static func realPath(_ path: UnsafePointer<CChar>, virtualPart: UnsafePointer<CChar>) -> String? {
        // The "/" before the signature stays.
        let folderLength = virtualPart - path - signature.utf8.count
        guard folderLength > 0 else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: path, count: folderLength), as: UTF8.self)
            + String(cString: virtualPart)
    }

    /// The operations that are this object's in lws's list that starts at `first` (lws passes
    /// the list's first, its own, to `open`).
    static func owner(from first: UnsafePointer<lws_plat_file_ops>) -> PageFileOperations? {
        var operations: UnsafePointer<lws_plat_file_ops>? = first
        while let current = operations {
            if let mark = current.pointee.fi.0.sig, String(cString: mark) == signature {
                let ours = UnsafeRawPointer(current).assumingMemoryBound(to: muster_file_ops_t.self)
                return ours.pointee.owner.map { Unmanaged<PageFileOperations>.fromOpaque($0).takeUnretainedValue() }
            }
            operations = current.pointee.next
        }
        return nil
    }

    /// Opens a page file for lws: its gzip, from memory, where the browser takes gzip and the
    /// file is worth it; otherwise the file on disk, by lws's own operations (`first`).
    func open(
        _ first: UnsafePointer<lws_plat_file_ops>, _ path: String, _ flags: UnsafeMutablePointer<lws_fop_flags_t>
    ) -> lws_fop_fd_t? {
        guard flags.pointee & muster_fop_gzip_acceptable != 0, let gzip = files.gzipped(path: path) else {
            return first.pointee.open?(first, path, nil, flags)
        }
        flags.pointee |= muster_fop_is_gzip | muster_fop_virtual
        let file = UnsafeMutablePointer<lws_fop_fd>.allocate(capacity: 1)
        file.initialize(to: lws_fop_fd())
        file.pointee.fd = -1
        file.pointee.fops = operations
        file.pointee.filesystem_priv = Unmanaged.passRetained(gzip).toOpaque()
        file.pointee.len = lws_filepos_t(gzip.bytes.count)
        file.pointee.flags = flags.pointee
        file.pointee.mod_time = gzip.modified
        return file
    }
}

/// The gzip an open file reads (its `filesystem_priv`).
private func gzipOf(_ file: lws_fop_fd_t) -> GzippedFiles.Entry {
    Unmanaged<GzippedFiles.Entry>.fromOpaque(file.pointee.filesystem_priv).takeUnretainedValue()
}

func musterOpenPageFile(
    _ first: UnsafePointer<lws_plat_file_ops>?, _ path: UnsafePointer<CChar>?, _ virtualPart: UnsafePointer<CChar>?,
    _ flags: UnsafeMutablePointer<lws_fop_flags_t>?
) -> lws_fop_fd_t? {
    guard let first, let path, let virtualPart, let flags, let owner = PageFileOperations.owner(from: first),
        let file = PageFileOperations.realPath(path, virtualPart: virtualPart)
    else { return nil }
    return owner.open(first, file, flags)
}

func musterCloseGzip(_ file: UnsafeMutablePointer<lws_fop_fd_t?>?) -> Int32 {
    guard let file, let open = file.pointee else { return -1 }
    Unmanaged<GzippedFiles.Entry>.fromOpaque(open.pointee.filesystem_priv).release()
    open.deallocate()
    file.pointee = nil
    return 0
}

func musterSeekGzip(_ file: lws_fop_fd_t?, _ offset: lws_fileofs_t) -> lws_fileofs_t {
    guard let file else { return -1 }
    let position = min(max(Int64(file.pointee.pos) + offset, 0), Int64(file.pointee.len))
    file.pointee.pos = lws_filepos_t(position)
    return position
}

func musterReadGzip(
    _ file: lws_fop_fd_t?, _ amount: UnsafeMutablePointer<lws_filepos_t>?, _ buffer: UnsafeMutablePointer<UInt8>?,
    _ length: lws_filepos_t
) -> Int32 {
    guard let file, let amount, let buffer else { return -1 }
    let bytes = gzipOf(file).bytes
    let start = Int(file.pointee.pos)
    let count = max(0, min(Int(length), bytes.count - start))
    bytes.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + start, count: count) }
    file.pointee.pos += lws_filepos_t(count)
    amount.pointee = lws_filepos_t(count)
    return 0
}

func musterWriteGzip(
    _ file: lws_fop_fd_t?, _ amount: UnsafeMutablePointer<lws_filepos_t>?, _ buffer: UnsafeMutablePointer<UInt8>?,
    _ length: lws_filepos_t
) -> Int32 {
    -1  // the page is read, never written
}
