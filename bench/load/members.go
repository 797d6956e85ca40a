// How one member connects, for the load generator (see load.go).
package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// dialHost connects the secretary: to Muster as its console does (compressed), to a peer plainly.
func dialHost(target string, muster bool) (*websocket.Conn, error) {
	if muster {
		return dialCompressed(target)
	}
	return dial(target, 0)
}

// commandFrame is a command the host sends: its id, and `body` (`"cmd":"…"` and the command's fields).
func commandFrame(id, body string) []byte {
	return []byte(`{"type":"cmd","id":"` + id + `",` + body + `}`)
}

// advanceBody is the text.advance of advance r: lines 1 and 2 in turn, each a change.
func advanceBody(r int) string { return fmt.Sprintf(`"cmd":"text.advance","line":%d`, 1+r%2) }

// awaitAll waits, 10 s at most, until `seen` reaches `want`: every member has the advance.
func awaitAll(seen *atomic.Int64, want int64) {
	deadline := time.Now().Add(10 * time.Second)
	for seen.Load() < want && time.Now().Before(deadline) {
		time.Sleep(200 * time.Microsecond)
	}
}

func dial(target string, source int) (*websocket.Conn, error) {
	return dialWith(target, source, nil)
}

// dialCompressed connects as Muster's console does: asking for
// permessage-deflate with `?compress` (gorilla offers it without context takeover).
func dialCompressed(target string) (*websocket.Conn, error) {
	dialer := websocket.Dialer{HandshakeTimeout: 30 * time.Second, EnableCompression: true}
	conn, response, err := dialer.Dial(target+"?compress", nil)
	if err == nil && !strings.Contains(response.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate") {
		fmt.Fprintln(os.Stderr, "load: the host asked for compression and was not given it")
	}
	return conn, err
}

// dialWith connects from 127.0.0.(1+source); `control`, if any, sets the socket up before it connects.
func dialWith(target string, source int, control func(network, address string, raw syscall.RawConn) error) (*websocket.Conn, error) {
	dialer := websocket.Dialer{
		HandshakeTimeout: 30 * time.Second,
		NetDial: func(network, address string) (net.Conn, error) {
			local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+source))}
			return (&net.Dialer{LocalAddr: local, Timeout: 30 * time.Second, Control: control}).Dial(network, address)
		},
	}
	conn, _, err := dialer.Dial(target, nil)
	return conn, err
}

func hello(conn *websocket.Conn, token string) error {
	_, err := helloSince(conn, token, "", -1)
	return err
}

// helloSince says hello (resuming after seq `since` in `session` when since >= 0) and returns the welcome.
func helloSince(conn *websocket.Conn, token, session string, since int64) ([]byte, error) {
	message := `{"type":"hello","token":"` + token + `"}`
	if since >= 0 {
		message = fmt.Sprintf(`{"type":"hello","token":"%s","session":"%s","since":%d}`, token, session, since)
	}
	if err := conn.WriteMessage(websocket.TextMessage, []byte(message)); err != nil {
		return nil, err
	}
	conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	for {
		_, frame, err := conn.ReadMessage()
		if err != nil {
			return nil, err
		}
		if strings.Contains(string(frame), `"welcome"`) {
			conn.SetReadDeadline(time.Time{})
			return frame, nil
		}
	}
}

// waitAtMost waits for group, or for limit to pass: every loop here stops by itself.
func waitAtMost(group *sync.WaitGroup, limit time.Duration) {
	waited := make(chan struct{})
	go func() { group.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(limit):
	}
}

var textAdvanced = []byte(`"text.advanced"`)

// readInto reads the next message into *buffer, reusing its room, and returns it: valid
// until the next call. gorilla's ReadMessage allocates a new slice for every message.
func readInto(conn *websocket.Conn, buffer *[]byte) ([]byte, error) {
	_, reader, err := conn.NextReader()
	if err != nil {
		return nil, err
	}
	message := bytes.NewBuffer((*buffer)[:0])
	if _, err := message.ReadFrom(reader); err != nil && err != io.EOF {
		return nil, err
	}
	*buffer = message.Bytes()
	return *buffer, nil
}

// firstAndLast is advance r's time from `sent` to its first and its last arrival among the
// members (ms); when nobody had it, the time waited.
func firstAndLast(arrivals [][]int64, r int, sent int64) (first, last float64) {
	earliest, latest := int64(0), int64(0)
	for i := range arrivals {
		at := arrivals[i][r]
		if at > latest {
			latest = at
		}
		if at > 0 && (earliest == 0 || at < earliest) {
			earliest = at
		}
	}
	if latest == 0 { // nobody had it in time: count the wait, not a time before the send
		latest = time.Now().UnixNano()
		earliest = latest
	}
	return float64(earliest-sent) / 1e6, float64(latest-sent) / 1e6
}
