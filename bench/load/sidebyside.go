// The fan-out side by side: the same crowd seated on several servers at once,
// whose advances then take turns (Muster's, the C peer's, Muster's, ...). On
// this machine slow advances come in stretches of 5 to 10 in a row, whatever
// the server: timed one server after another, a run's p99 goes to whichever
// server a stretch fell on. Taking turns advance by advance, a stretch falls
// on every server alike, and each advance has a partner to be compared with.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// sideServer is one server of a side-by-side run, as the caller describes it.
type sideServer struct {
	Name   string `json:"name"`
	URL    string `json:"url"`
	Muster bool   `json:"muster"`
	PID    int    `json:"pid"`
}

// sideResult is one server's part of a side-by-side run: its figures, and every advance's
// time to the last member in turn order, for the caller to pair with the others'.
type sideResult struct {
	Server          string    `json:"server"`
	Members         int       `json:"members"`
	Welcomed        int       `json:"welcomed"`
	Advances        int       `json:"advances"`
	FirstP50        float64   `json:"first_p50_ms"`
	LastP50         float64   `json:"last_p50_ms"`
	LastP99         float64   `json:"last_p99_ms"`
	FramesPerCPUSec float64   `json:"frames_per_cpu_s"`
	Lasts           []float64 `json:"last_ms"`
}

// seatedCrowd is one server's host and members, ready for advances.
type seatedCrowd struct {
	server   sideServer
	command  func(id, body string)
	welcomed int64
	round    atomic.Int64   // the advance being timed
	arrivals [][]int64      // per member, when each advance arrived (ns)
	seen     []atomic.Int64 // per advance, how many members have it
	conns    []*websocket.Conn
	frames   atomic.Int64
}

// seat connects the host (opening and starting Muster's session) and then the members, all
// at once, and starts a reader for each.
func seat(server sideServer, tokens []string, hostToken string, advances, sources int) (*seatedCrowd, error) {
	host, err := dialHost(server.URL, server.Muster)
	if err == nil {
		err = hello(host, hostToken)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: the host cannot connect: %v", server.Name, err)
	}
	crowd := &seatedCrowd{server: server, arrivals: make([][]int64, len(tokens)),
		seen: make([]atomic.Int64, advances+1), conns: make([]*websocket.Conn, len(tokens))}
	crowd.command = func(id, body string) { // from the timing loop alone
		host.WriteMessage(websocket.TextMessage, commandFrame(id, body))
	}
	go func() { // the host reads what it is sent, and says when it is refused
		for refused := 0; ; {
			_, frame, err := host.ReadMessage()
			if err != nil {
				return
			}
			if strings.Contains(string(frame), `"type":"error"`) && refused < 3 {
				refused++
				fmt.Fprintf(os.Stderr, "load: %s refused the host: %s\n", server.Name, frame)
			}
		}
	}()
	if server.Muster {
		crowd.command("open", `"cmd":"session.open"`)
		crowd.command("start", `"cmd":"session.start"`)
		time.Sleep(500 * time.Millisecond)
	}
	var ready sync.WaitGroup
	ready.Add(len(tokens))
	for i, token := range tokens {
		crowd.arrivals[i] = make([]int64, advances+1)
		go func(i int, token string) {
			defer ready.Done()
			conn, err := dial(server.URL, i%sources)
			if err != nil {
				return
			}
			if _, err := helloSince(conn, token, "", -1); err != nil {
				conn.Close()
				return
			}
			crowd.conns[i] = conn
			atomic.AddInt64(&crowd.welcomed, 1)
			go crowd.read(i, conn)
		}(i, token)
	}
	waitAtMost(&ready, 120*time.Second)
	return crowd, nil
}

// read takes member i's frames until its connection ends, noting when each advance arrived.
func (crowd *seatedCrowd) read(i int, conn *websocket.Conn) {
	var buffer []byte
	for {
		frame, err := readInto(conn, &buffer)
		if err != nil {
			return
		}
		if !strings.Contains(string(frame), string(textAdvanced)) {
			continue
		}
		crowd.frames.Add(1)
		if r := crowd.round.Load(); r > 0 && crowd.arrivals[i][r] == 0 {
			crowd.arrivals[i][r] = time.Now().UnixNano()
			crowd.seen[r].Add(1)
		}
	}
}

// advance sends advance r and waits (at most 10 s) until every seated member has it; returns
// its time to the first member and to the last (ms), and whether any member had it at all.
func (crowd *seatedCrowd) advance(r int, run int64) (first, last float64, reached bool) {
	crowd.round.Store(int64(r))
	sent := time.Now().UnixNano()
	crowd.command(fmt.Sprintf("s%d-%d", run, r), advanceBody(r))
	awaitAll(&crowd.seen[r], crowd.welcomed)
	first, last = firstAndLast(crowd.arrivals, r, sent)
	return first, last, crowd.seen[r].Load() > 0
}

// runSideBySide seats the crowd on every server in `file` (a JSON list of sideServer), one
// server after another, then times `advances` rounds in which every server advances once,
// the first of each round a different one. Prints one JSON object per server.
func runSideBySide(file string, tokens []string, hostToken string, advances, sources int) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var servers []sideServer
	if err := json.Unmarshal(data, &servers); err != nil || len(servers) == 0 {
		return fmt.Errorf("%s: a JSON list of servers is needed (%v)", file, err)
	}
	crowds := make([]*seatedCrowd, len(servers))
	for s, server := range servers {
		if crowds[s], err = seat(server, tokens, hostToken, advances, sources); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "load: %s seated %d of %d\n", server.Name, crowds[s].welcomed, len(tokens))
	}
	time.Sleep(2 * time.Second) // the storms' frames drain

	runtime.GC()
	debug.SetMemoryLimit(4 << 30)
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // no collector pauses taken for a server's
	run := time.Now().UnixNano()
	firsts := make([][]float64, len(servers))
	lasts := make([][]float64, len(servers))
	// A server waits, idle, while the others take their turns: its CPU over the whole run is its own advances'.
	cpuBefore := make([]float64, len(servers))
	framesBefore := make([]int64, len(servers))
	for s, crowd := range crowds {
		cpuBefore[s], framesBefore[s] = cpuSeconds(crowd.server.PID), crowd.frames.Load()
	}
	for r := 1; r <= advances; r++ {
		for k := range crowds {
			s := (r + k) % len(crowds) // each round begins with the next server
			first, last, reached := crowds[s].advance(r, run)
			if !reached { // a server that sends nothing would have every advance wait out its 10 s
				return fmt.Errorf("%s: advance %d reached none of its %d members in 10 s", crowds[s].server.Name, r, crowds[s].welcomed)
			}
			firsts[s] = append(firsts[s], first)
			lasts[s] = append(lasts[s], last)
		}
	}
	// Rounds in turn order: lasts[s][r-1] is server s's advance in round r.
	for s, crowd := range crowds {
		out := sideResult{Server: crowd.server.Name, Members: len(tokens), Welcomed: int(crowd.welcomed),
			Advances: advances, FirstP50: percentile(firsts[s], 50), LastP50: percentile(lasts[s], 50),
			LastP99: percentile(lasts[s], 99), Lasts: lasts[s]}
		if cpu := cpuSeconds(crowd.server.PID) - cpuBefore[s]; cpu > 0 {
			out.FramesPerCPUSec = float64(crowd.frames.Load()-framesBefore[s]) / cpu
		}
		json.NewEncoder(os.Stdout).Encode(out)
		for _, conn := range crowd.conns {
			if conn != nil {
				conn.Close()
			}
		}
	}
	return nil
}
