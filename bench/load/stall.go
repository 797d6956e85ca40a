package main

import (
	"net"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// stalledReader is a member whose phone stops reading: after its welcome it
// reads nothing. Its socket asks for the smallest receive buffer the kernel
// allows (set before connecting, so the window it offers is small from the
// start). What the server sends it then waits in the server's own socket
// buffer, which loopback autotunes to about 1.3 MB, and after that in the
// server's queue, which the server must hold or drop.
type stalledReader struct {
	conn *websocket.Conn
}

func newStalledReader(target, token string, source int) (*stalledReader, error) {
	conn, err := dialWith(target, source, smallestReceiveBuffer)
	if err != nil {
		return nil, err
	}
	if _, err := helloSince(conn, token, "", -1); err != nil {
		conn.Close()
		return nil, err
	}
	return &stalledReader{conn: conn}, nil
}

func smallestReceiveBuffer(network, address string, raw syscall.RawConn) error {
	var failed error
	err := raw.Control(func(fd uintptr) {
		failed = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1)
	})
	if err != nil {
		return err
	}
	return failed
}

// outcome waits `wait` without reading (the phone is still stalled), then reads
// for at most `limit`: how many frames the server had kept for it, and whether it
// had closed the connection (a server that caps its queue drops a reader that
// takes nothing; one that does not holds on to everything).
func (s *stalledReader) outcome(wait, limit time.Duration) (frames int, closed bool) {
	defer s.conn.Close()
	time.Sleep(wait)
	s.conn.SetReadDeadline(time.Now().Add(limit))
	for {
		if _, _, err := s.conn.ReadMessage(); err != nil {
			if netErr, ok := err.(net.Error); ok && netErr.Timeout() {
				return frames, false
			}
			return frames, true
		}
		frames++
	}
}
