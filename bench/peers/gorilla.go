// A broadcast server on Go + gorilla/websocket doing Muster's job in the
// benchmark: a hello gets a welcome, a host's text.advance goes to everyone.
// Each connection has a bounded send queue and a writer goroutine; a frame
// is prepared once per broadcast and shared.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/gorilla/websocket"
)

type client struct {
	conn  *websocket.Conn
	queue chan *websocket.PreparedMessage
}

var (
	mutex   sync.Mutex
	clients = map[*client]bool{}
	seq     = 0
)

func serve(w http.ResponseWriter, r *http.Request) {
	upgrader := websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 1024, CheckOrigin: func(*http.Request) bool { return true }}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &client{conn: conn, queue: make(chan *websocket.PreparedMessage, 1024)}
	go func() {
		for message := range c.queue {
			if conn.WritePreparedMessage(message) != nil {
				return
			}
		}
	}()
	defer func() {
		mutex.Lock()
		if clients[c] {
			delete(clients, c)
			close(c.queue)
		}
		mutex.Unlock()
		conn.Close()
	}()
	for {
		_, frame, err := conn.ReadMessage()
		if err != nil {
			return
		}
		text := string(frame)
		switch {
		case strings.Contains(text, `"hello"`):
			welcome, _ := websocket.NewPreparedMessage(websocket.TextMessage, []byte(`{"type":"welcome","seq":0}`))
			mutex.Lock()
			clients[c] = true
			c.queue <- welcome
			mutex.Unlock()
		case strings.Contains(text, `"text.advance"`):
			mutex.Lock()
			seq++
			message, _ := websocket.NewPreparedMessage(websocket.TextMessage,
				[]byte(fmt.Sprintf(`{"type":"event","seq":%d,"event":{"kind":"text.advanced","line":%d}}`, seq, seq%12)))
			for other := range clients {
				select {
				case other.queue <- message:
				default: // too slow: dropped, as Muster closes it
					delete(clients, other)
					close(other.queue)
				}
			}
			mutex.Unlock()
		}
	}
}

func main() {
	port := flag.Int("port", 0, "port on 127.0.0.1")
	flag.Parse()
	listener, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("serving on %d\n", listener.Addr().(*net.TCPAddr).Port)
	http.HandleFunc("/ws", serve)
	http.Serve(listener, nil)
}
