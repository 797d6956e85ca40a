// The restart phase of the load generator (see load.go): every member comes
// back at once with `since`, as the page does after a 1001.
package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var seqKey = []byte(`"seq":`)

// seqOf reads a frame's "seq" without decoding the rest; -1 when it has none.
func seqOf(frame []byte) int64 {
	at := bytes.Index(frame, seqKey)
	if at < 0 {
		return -1
	}
	value := int64(0)
	for _, c := range frame[at+len(seqKey):] {
		if c < '0' || c > '9' {
			break
		}
		value = value*10 + int64(c-'0')
	}
	return value
}

// sessionOf reads a welcome's "session".
func sessionOf(frame []byte) string {
	text := string(frame)
	at := strings.Index(text, `"session":"`)
	if at < 0 {
		return ""
	}
	rest := text[at+11:]
	return rest[:strings.Index(rest, `"`)]
}

// restartAndReturn asks the caller to restart the server, then brings every member back at once
// with `since` its last seen seq, as the page does after a 1001. Returns the seconds from the
// request until 99% were welcomed, how many resumed, how many got a full welcome, how many were
// welcomed behind what they had seen, and how many came back at all.
func restartAndReturn(tokens []string, lastSeen []atomic.Int64, session string, sources int) (float64, int, int, int, int) {
	asked := time.Now()
	fmt.Println("RESTART")
	var port string
	if _, err := fmt.Scanln(&port); err != nil {
		fmt.Fprintln(os.Stderr, "load: no port after the restart:", err)
		return 0, 0, 0, 0, 0
	}
	target := "ws://127.0.0.1:" + port + "/ws"
	back := make([]float64, len(tokens))
	var resumed, full, behind, returned, failures atomic.Int64
	var done sync.WaitGroup
	for i, token := range tokens {
		back[i] = 1e9 // not back
		done.Add(1)
		go func(i int, token string) {
			defer done.Done()
			conn, err := dial(target, i%sources)
			if err == nil {
				defer conn.Close()
			}
			since := lastSeen[i].Load()
			var welcome []byte
			if err == nil {
				welcome, err = helloSince(conn, token, session, since)
			}
			if err != nil {
				if failures.Add(1) <= 3 {
					fmt.Fprintln(os.Stderr, "load: a member could not come back:", err)
				}
				return
			}
			back[i] = time.Since(asked).Seconds()
			returned.Add(1)
			if strings.Contains(string(welcome), `"resumed":true`) {
				resumed.Add(1)
			} else {
				full.Add(1)
			}
			if seqOf(welcome) < since {
				behind.Add(1)
			}
		}(i, token)
	}
	waitAtMost(&done, 120*time.Second)
	fmt.Fprintf(os.Stderr, "load: back after the restart, from the request: p10 %.2f s, p50 %.2f s, p90 %.2f s, p99 %.2f s\n",
		percentile(back, 10), percentile(back, 50), percentile(back, 90), percentile(back, 99))
	return percentile(back, 99), int(resumed.Load()), int(full.Load()), int(behind.Load()), int(returned.Load())
}
