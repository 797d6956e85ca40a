import CLibWebSockets

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
    guard let wsi, let context = lws_get_context(wsi), let pointer = lws_context_user(context) else {
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    }
    let server = Unmanaged<LWSServer>.fromOpaque(pointer).takeUnretainedValue()
    switch reason {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        server.drainMailbox()
        return 0
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        return server.confirmUpgrade(wsi)
    case LWS_CALLBACK_ESTABLISHED:
        server.established(wsi, user)
        return 0
    case LWS_CALLBACK_RECEIVE:
        if let connection = server.connection(user) { server.receive(connection, input, length) }
        return 0
    case LWS_CALLBACK_RECEIVE_PONG:
        server.connection(user)?.heard(at: server.keepalive.now)
        return 0
    case LWS_CALLBACK_SERVER_WRITEABLE:
        guard let connection = server.connection(user) else { return 0 }
        return server.writeable(connection) ? 0 : -1
    case LWS_CALLBACK_CLOSED:
        server.closed(user)
        return 0
    case LWS_CALLBACK_HTTP:
        return server.http(wsi, user)
    case LWS_CALLBACK_HTTP_BODY:
        return server.httpBody(user, input, length)
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        return server.httpBodyComplete(wsi, user)
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if let request = user?.load(as: Int.self), server.httpResponses[request] != nil {
            return server.httpWriteable(wsi, user)
        }
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL, LWS_CALLBACK_CLOSED_HTTP:
        server.httpDone(user)
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
        return server.acceptConnection(user) ? 0 : 1
    case LWS_CALLBACK_WSI_CREATE:
        server.caps.created(UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(wsi))))
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    case LWS_CALLBACK_WSI_DESTROY:
        server.caps.destroyed(UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(wsi))))
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    case LWS_CALLBACK_FILTER_HTTP_CONNECTION:
        return server.filterRequest(wsi)
    default:
        return lws_callback_http_dummy(wsi, reason, user, input, length)
    }
}
