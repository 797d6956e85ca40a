// The load generator for bench/run: N WebSocket members say hello at once
// (the join storm), then a host advances the shared text K times and every
// member's arrival time is taken (the fan-out). It speaks Muster's protocol;
// the peer servers answer the same messages. Every loop is bounded in count
// and time. With -restart (Muster), it then asks its caller to restart the
// server (a line "RESTART" on stdout, the new port on stdin) and times every
// member's return with `since`. With -stalled, the fan-out is timed a second
// time with one more member whose phone reads nothing. Before the storm
// (Muster), the secretary's commands are offered at a steady rate and their
// acks timed. Prints one JSON object. With -side-by-side, several servers
// take turns instead (sidebyside.go).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

type result struct {
	Server      string  `json:"server"`
	Members     int     `json:"members"`
	Welcomed    int     `json:"welcomed"`
	JoinSeconds float64 `json:"join_s"`
	KBPerMember float64 `json:"kb_per_member"`
	Advances    int     `json:"advances"`
	// The first member's arrival: what an advance waits before any frame leaves (Muster: its commit).
	FirstP50 float64 `json:"first_p50_ms"`
	LastP50  float64 `json:"last_p50_ms"`
	LastP99  float64 `json:"last_p99_ms"`
	// Muster: how long an advance takes to be committed (fsync) and acked with nobody else
	// connected; every broadcast waits that long first (the peers have no record to wait for).
	AckP50 float64 `json:"ack_p50_ms,omitempty"`
	// Muster: the same ack while the advance goes out to every member (what the secretary waits
	// for in a crowd): p50 and p99 over the timed advances.
	CrowdAckP50 float64 `json:"crowd_ack_p50_ms,omitempty"`
	CrowdAckP99 float64 `json:"crowd_ack_p99_ms,omitempty"`
	// Muster: the secretary's commands offered at a steady rate (-ack-rate), nobody else
	// connected: acks per second, and each command's wait for its ack.
	AckRate         int     `json:"ack_offered,omitempty"`
	AcksPerSecond   float64 `json:"acks_per_s,omitempty"`
	PacedAckP50     float64 `json:"paced_ack_p50_ms,omitempty"`
	PacedAckP99     float64 `json:"paced_ack_p99_ms,omitempty"`
	Delivered       int64   `json:"delivered"`
	FramesPerCPUSec float64 `json:"frames_per_cpu_s"`
	// While the advances were timed, the share of the time the server's core and the load
	// generator's were busy: when the load generator's is near 100%, the time to the last
	// member is as much its own as the server's.
	ServerBusy float64 `json:"server_busy_pct"`
	LoadBusy   float64 `json:"load_busy_pct"`
	// The restart: from asking for it until 99% of members were welcomed back, how
	// many resumed from the replay and how many got a full welcome instead, and how
	// many were welcomed at a seq before one they had already seen (a gap: must be 0).
	Restart99  float64 `json:"restart_99_s,omitempty"`
	Resumed    int     `json:"restart_resumed,omitempty"`
	FullAgain  int     `json:"restart_full,omitempty"`
	WentBehind int     `json:"restart_behind"`
	Returned   int     `json:"restart_returned,omitempty"`
	// With -stalled: the fan-out again, with one more member whose phone stopped reading;
	// how many frames the server kept for that member, and whether it closed its connection.
	StalledP50    float64 `json:"stalled_p50_ms,omitempty"`
	StalledP99    float64 `json:"stalled_p99_ms,omitempty"`
	StalledFrames *int    `json:"stalled_frames,omitempty"`
	StalledClosed *bool   `json:"stalled_closed,omitempty"`
}

func rssKB(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			value, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return value
		}
	}
	return 0
}

// cpuSeconds is the server's user and system time so far (in clock ticks: 10 ms steps).
func cpuSeconds(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(data)[strings.LastIndex(string(data), ")")+2:])
	user, _ := strconv.ParseFloat(fields[11], 64)
	system, _ := strconv.ParseFloat(fields[12], 64)
	return (user + system) / 100 // clock ticks
}

// ownCPUSeconds is the load generator's own user and system time so far.
func ownCPUSeconds() float64 {
	var usage syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &usage) != nil {
		return 0
	}
	return float64(usage.Utime.Nano()+usage.Stime.Nano()) / 1e9
}

func percentile(values []float64, p float64) float64 {
	if len(values) == 0 {
		return 0
	}
	sorted := append([]float64(nil), values...)
	sort.Float64s(sorted)
	return sorted[int(float64(len(sorted)-1)*p/100)]
}

func main() {
	target := flag.String("url", "", "ws://127.0.0.1:PORT/ws")
	tokensFile := flag.String("tokens", "", "one member token per line")
	hostToken := flag.String("host", "", "the secretary's token")
	members := flag.Int("members", 1000, "members to connect")
	advances := flag.Int("advances", 100, "text advances to time")
	sources := flag.Int("sources", 8, "127.0.0.x source addresses to spread the sockets over")
	pid := flag.Int("pid", 0, "the server's process id, for its memory and CPU")
	name := flag.String("server", "muster", "the server's name, as printed")
	muster := flag.Bool("muster", true, "open and start the session first (Muster's protocol)")
	restart := flag.Bool("restart", false, "after the fan-out, have the server restarted and time the members' return")
	each := flag.Bool("each", false, "print every advance's time to the last member on stderr, in order")
	ackRate := flag.Int("ack-rate", 2000, "Muster: the secretary's commands a second, offered while nobody else is connected")
	ackSeconds := flag.Float64("ack-seconds", 1, "Muster: for how long they are offered")
	stalled := flag.Bool("stalled", false, "after the fan-out, time the advances again with one more member who reads nothing (it takes the token after the members')")
	hold := flag.Bool("hold", false, "before the fan-out, print HOLD and wait for a line on stdin (a profiler starts counting)")
	sideBySide := flag.String("side-by-side", "", "a JSON list of servers ({name, url, muster, pid}): seat the crowd on each, then time their advances in turn (-url unused)")
	flag.Parse()
	if _, err := url.Parse(*target); *sideBySide == "" && (err != nil || *target == "") {
		fmt.Fprintln(os.Stderr, "load: -url is needed")
		os.Exit(2)
	}
	file, err := os.Open(*tokensFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
	var tokens []string
	scanner := bufio.NewScanner(file)
	for len(tokens) < *members && scanner.Scan() {
		tokens = append(tokens, strings.TrimSpace(scanner.Text()))
	}
	if *sideBySide != "" {
		if err := runSideBySide(*sideBySide, tokens, *hostToken, *advances, *sources); err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
		return
	}
	stalledToken := ""
	if *stalled && scanner.Scan() {
		stalledToken = strings.TrimSpace(scanner.Text())
	}
	if *stalled && stalledToken == "" {
		fmt.Fprintf(os.Stderr, "load: -stalled needs a token after the %d members'\n", *members)
		os.Exit(2)
	}
	rounds := *advances // the advances timed, in both fan-outs
	if *stalled {
		rounds *= 2
	}

	host, err := dialHost(*target, *muster)
	if err != nil || hello(host, *hostToken) != nil {
		fmt.Fprintln(os.Stderr, "load: the host cannot connect:", err)
		os.Exit(1)
	}
	var hostMutex sync.Mutex
	command := func(id, body string) {
		hostMutex.Lock()
		defer hostMutex.Unlock()
		host.WriteMessage(websocket.TextMessage, commandFrame(id, body))
	}
	if *muster {
		command("open", `"cmd":"session.open"`)
		command("start", `"cmd":"session.start"`)
	}
	// The host reads what it is sent, so it is never the slow one, and reports a refusal.
	// Should the server close its connection all the same (Muster closes a device too far
	// behind, 1008), nothing more can be timed: the load stops at once, saying
	// why, where every advance would otherwise wait out its 10 s. A restart closes it too.
	var refusals atomic.Int64
	var restarting atomic.Bool
	acked := make(chan int64, *advances+8) // when each advance's ack came (ns)
	paced := newPacedAcks(time.Now().UnixNano(), int(float64(*ackRate)**ackSeconds))
	go func() {
		for {
			_, frame, err := host.ReadMessage()
			if err != nil {
				if !restarting.Load() {
					fmt.Fprintf(os.Stderr, "load: the server closed the host's connection: %v\n", err)
					os.Exit(1)
				}
				return
			}
			paced.noteAck(frame, time.Now().UnixNano())
			if strings.Contains(string(frame), `"type":"ack"`) && strings.Contains(string(frame), `"id":"a`) {
				select {
				case acked <- time.Now().UnixNano():
				default:
				}
			}
			if strings.Contains(string(frame), `"type":"error"`) && refusals.Add(1) <= 3 {
				fmt.Fprintf(os.Stderr, "load: the host was refused: %s\n", frame)
			}
		}
	}()
	time.Sleep(500 * time.Millisecond)
	var acks []float64
	for r := 0; *muster && r < 20; r++ {
		sent := time.Now().UnixNano()
		command(fmt.Sprintf("a%d-c%d", time.Now().UnixNano(), r), fmt.Sprintf(`"cmd":"text.advance","line":%d`, r%2))
		select {
		case at := <-acked:
			acks = append(acks, float64(at-sent)/1e6)
		case <-time.After(10 * time.Second):
		}
	}
	var acksPerSecond, pacedP50, pacedP99 float64
	if *muster && *ackRate > 0 {
		acksPerSecond, pacedP50, pacedP99 = paced.offer(*ackRate, command)
	}
	idle := rssKB(*pid)

	// The join storm: everyone at once.
	arrivals := make([][]int64, len(tokens)) // per member, when each advance arrived (ns)
	var welcomed, delivered int64
	var round atomic.Int64 // the advance being timed (its line)
	var seen = make([]atomic.Int64, rounds+1)
	var ready sync.WaitGroup
	ready.Add(len(tokens))
	conns := make([]*websocket.Conn, len(tokens))
	lastSeen := make([]atomic.Int64, len(tokens)) // per member, the last seq a frame carried
	var session atomic.Value                      // the session, from a welcome
	started := time.Now()
	cpuBeforeStorm := cpuSeconds(*pid)
	var joinEnd atomic.Int64
	welcomes := make([]float64, len(tokens)) // per member, seconds from the storm's start to its welcome
	for i, token := range tokens {
		arrivals[i] = make([]int64, rounds+1)
		go func(i int, token string) {
			defer ready.Done()
			conn, err := dial(*target, i%*sources)
			if err != nil {
				return
			}
			welcome, err := helloSince(conn, token, "", -1)
			if err != nil {
				return
			}
			lastSeen[i].Store(seqOf(welcome))
			if id := sessionOf(welcome); id != "" {
				session.Store(id)
			}
			conns[i] = conn
			atomic.AddInt64(&welcomed, 1)
			joinEnd.Store(time.Since(started).Nanoseconds())
			welcomes[i] = time.Since(started).Seconds()
			go func() {
				defer conn.Close() // the server closed it (a restart): its descriptor is needed again
				var buffer []byte  // one per member, reused: the instrument allocates nothing per frame
				for {
					frame, err := readInto(conn, &buffer)
					if err != nil {
						return
					}
					if seq := seqOf(frame); seq > lastSeen[i].Load() {
						lastSeen[i].Store(seq)
					}
					if bytes.Contains(frame, textAdvanced) {
						atomic.AddInt64(&delivered, 1)
						r := round.Load()
						if r > 0 && arrivals[i][r] == 0 {
							arrivals[i][r] = time.Now().UnixNano()
							seen[r].Add(1)
						}
					}
				}
			}()
		}(i, token)
	}
	waitAtMost(&ready, 120*time.Second)
	joined := float64(joinEnd.Load()) / 1e9
	fmt.Fprintf(os.Stderr, "load: %s welcomed %d: p10 %.2f s, p50 %.2f s, p90 %.2f s, p99 %.2f s; server CPU %.2f s\n",
		*name, welcomed, percentile(welcomes, 10), percentile(welcomes, 50), percentile(welcomes, 90),
		percentile(welcomes, 99), cpuSeconds(*pid)-cpuBeforeStorm)
	time.Sleep(2 * time.Second) // let the storm's frames drain
	seated := rssKB(*pid)
	if *hold {
		fmt.Println("HOLD")
		var line string
		fmt.Scanln(&line)
	}

	// timeAdvances advances the text `count` times from round `first`, one at a time, each
	// until every seated member has it (or 10 s): each one's time to the first member and
	// to the last (ms).
	var sents []int64 // when each timed advance was sent (ns), for its ack
	timeAdvances := func(first, count int) (firsts, last []float64) {
		for r := first; r < first+count; r++ {
			round.Store(int64(r))
			sent := time.Now().UnixNano()
			sents = append(sents, sent)
			// Ids unique to this run: Muster acks a resent id without a new event, across restarts too.
			command(fmt.Sprintf("a%d-%d", started.UnixNano(), r), advanceBody(r))
			awaitAll(&seen[r], welcomed)
			first, latest := firstAndLast(arrivals, r, sent)
			firsts = append(firsts, first)
			last = append(last, latest)
		}
		return firsts, last
	}

	// The fan-out: one advance at a time, each until every member has it (or 10 s).
	// Go's collector is off while it is timed (up to 4 GB), so its pauses are not taken
	// for the server's: with it on, the worst advances were the load generator's.
	runtime.GC()
	debug.SetMemoryLimit(4 << 30)
	collecting := debug.SetGCPercent(-1)
	cpuBefore, loadBefore, wallBefore := cpuSeconds(*pid), ownCPUSeconds(), time.Now()
	deliveredBefore := atomic.LoadInt64(&delivered)
	for len(acked) > 0 {
		<-acked
	}
	firsts, last := timeAdvances(1, *advances)
	cpu := cpuSeconds(*pid) - cpuBefore
	loadCPU, wall := ownCPUSeconds()-loadBefore, time.Since(wallBefore).Seconds()
	// Only Muster acks; a peer's missing acks would each be waited out (a second apiece).
	var crowdAcks []float64
	for i := 0; *muster && i < len(sents); i++ {
		select {
		case at := <-acked:
			crowdAcks = append(crowdAcks, float64(at-sents[i])/1e6)
		case <-time.After(time.Second):
		}
	}
	if *each {
		fmt.Fprintf(os.Stderr, "each advance to the last member (ms): %.1f\n", last)
	}
	frames := atomic.LoadInt64(&delivered) - deliveredBefore
	var withStalled []float64
	var stalledFrames *int
	var stalledClosed *bool
	if *stalled {
		reader, err := newStalledReader(*target, stalledToken, *sources-1)
		if err != nil {
			fmt.Fprintln(os.Stderr, "load: the stalled reader cannot connect:", err)
			os.Exit(1)
		}
		time.Sleep(500 * time.Millisecond) // its arrival's frames reach everyone first
		_, withStalled = timeAdvances(*advances+1, *advances)
		// Muster drops a reader once its queue is full and its socket has taken nothing for
		// 2 s: every server gets 3 s before the reader reads again.
		kept, closed := reader.outcome(3*time.Second, 5*time.Second)
		stalledFrames, stalledClosed = &kept, &closed
	}
	debug.SetGCPercent(collecting)
	out := result{
		Server: *name, Members: len(tokens), Welcomed: int(welcomed), JoinSeconds: joined,
		KBPerMember: (seated - idle) / float64(welcomed+1), Advances: *advances,
		FirstP50: percentile(firsts, 50), LastP50: percentile(last, 50), LastP99: percentile(last, 99), Delivered: frames, AckP50: percentile(acks, 50),
		AcksPerSecond: acksPerSecond, PacedAckP50: pacedP50, PacedAckP99: pacedP99,
	}
	if *muster {
		out.CrowdAckP50, out.CrowdAckP99 = percentile(crowdAcks, 50), percentile(crowdAcks, 99)
	}
	if acksPerSecond > 0 {
		out.AckRate = *ackRate
	}
	if *stalled {
		out.StalledP50, out.StalledP99 = percentile(withStalled, 50), percentile(withStalled, 99)
		out.StalledFrames, out.StalledClosed = stalledFrames, stalledClosed
	}
	if cpu > 0 {
		out.FramesPerCPUSec = float64(frames) / cpu
	}
	out.ServerBusy, out.LoadBusy = 100*cpu/wall, 100*loadCPU/wall
	if *restart {
		restarting.Store(true)
		id, _ := session.Load().(string)
		out.Restart99, out.Resumed, out.FullAgain, out.WentBehind, out.Returned = restartAndReturn(
			tokens, lastSeen, id, *sources)
	}
	json.NewEncoder(os.Stdout).Encode(out)
	for _, conn := range conns {
		if conn != nil {
			conn.Close()
		}
	}
}
