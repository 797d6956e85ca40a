import CLibWebSockets
import Foundation
import Logging

/// lws's own errors and warnings, as the server's log lines (JSON with `--log-format json`),
/// not as lines of lws's own format among them on standard error.
func musterLWSLog(_ level: Int32, _ line: UnsafePointer<CChar>?) {
    guard let line else { return }
    let message = String(cString: line).trimmingCharacters(in: .whitespacesAndNewlines)
    LWSLog.logger.log(level: level & Int32(LLL_ERR) != 0 ? .error : .warning, "\(message)")
}

private enum LWSLog {
    /// Made at lws's first line, after the command line has set up logging.
    static let logger = Logger(label: "lws")
}

/// lws's timer callback: the sul is the first field of a `muster_timer_t`.
func musterTick(_ sul: UnsafeMutablePointer<lws_sorted_usec_list_t>?) {
    guard let sul else { return }
    let timer = UnsafeMutableRawPointer(sul).assumingMemoryBound(to: muster_timer_t.self)
    guard let owner = timer.pointee.owner else { return }
    Unmanaged<LWSServer>.fromOpaque(owner).takeUnretainedValue().tick(sul)
}

/// The one C callback lws calls for everything; it finds the server through
/// the context's user pointer and hands over to it.
func musterCallback(
    _ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
    _ input: UnsafeMutableRawPointer?, _ length: Int
) -> Int32 {
    // lws tells protocol 0 of every change to its poll set, in three calls, and every frame
    // written makes two changes (write wanted, then done); with lws's own loop they need
    // nothing (lws-callbacks.h), so they are answered here, before any lookup.
    if (LWS_CALLBACK_CHANGE_MODE_POLL_FD.rawValue...LWS_CALLBACK_UNLOCK_POLL.rawValue).contains(reason.rawValue) {
        return 0
    }
    guard let wsi, let context = lws_get_context(wsi), let pointer = lws_context_user(context) else {
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    }
    // Lent, not retained: lws calls back for every frame written, and a retain is an atomic write.
    return Unmanaged<LWSServer>.fromOpaque(pointer)._withUnsafeGuaranteedRef { server in
        server.callback(wsi, reason, user, input, length)
    }
}

extension LWSServer {
    /// lws's callback, on the service thread, with the server found.
    fileprivate func callback(
        _ wsi: OpaquePointer, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
        _ input: UnsafeMutableRawPointer?, _ length: Int
    ) -> Int32 {
        switch reason {
        case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
            drainMailbox()
            return 0
        case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
            return confirmUpgrade(wsi)
        case LWS_CALLBACK_CONFIRM_EXTENSION_OKAY:
            // Nonzero refuses it; lws's default (zero) would take it on every socket.
            return agreeToExtension(wsi, user, input) ? 0 : 1
        case LWS_CALLBACK_ESTABLISHED:
            established(wsi, user)
            return 0
        case LWS_CALLBACK_RECEIVE:
            withConnection(wsi) { self.receive($0, input, length) }
            return 0
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            // The client answers the stop's 1001: close without sending another (nonzero: no echo).
            return withConnection(wsi) { $0.closeSent ? 1 : 0 } ?? 0
        case LWS_CALLBACK_RECEIVE_PONG:
            withConnection(wsi) { $0.heard(at: self.keepalive.now) }
            return 0
        case LWS_CALLBACK_SERVER_WRITEABLE:
            return withConnection(wsi) { self.writeable($0) ? 0 : -1 } ?? 0
        case LWS_CALLBACK_CLOSED:
            closed(wsi, user)
            return 0
        case LWS_CALLBACK_HTTP:
            return http(wsi, user)
        case LWS_CALLBACK_HTTP_BODY:
            return httpBody(user, input, length)
        case LWS_CALLBACK_HTTP_BODY_COMPLETION:
            return httpBodyComplete(wsi, user)
        case LWS_CALLBACK_HTTP_WRITEABLE:
            if let request = user?.load(as: Int.self), httpResponses[request] != nil {
                return httpWriteable(wsi, user)
            }
            return lws_callback_http_dummy(wsi, reason, user, input, length)
        case LWS_CALLBACK_HTTP_DROP_PROTOCOL, LWS_CALLBACK_CLOSED_HTTP:
            httpDone(user)
            return lws_callback_http_dummy(wsi, reason, user, input, length)
        case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
            return acceptConnection(user) ? 0 : 1
        case LWS_CALLBACK_WSI_CREATE:
            caps.created(UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(wsi))))
            return lws_callback_http_dummy(wsi, reason, user, input, length)
        case LWS_CALLBACK_WSI_DESTROY:
            caps.destroyed(UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(wsi))))
            return lws_callback_http_dummy(wsi, reason, user, input, length)
        case LWS_CALLBACK_FILTER_HTTP_CONNECTION:
            return filterRequest(wsi)
        default:
            return lws_callback_http_dummy(wsi, reason, user, input, length)
        }
    }
}
