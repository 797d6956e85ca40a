package main

import (
	"bytes"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"
)

// pacedAcks offers the secretary's commands at a steady rate while nobody
// else is connected (Muster only: the peers keep no record and ack nothing)
// and times each command's ack, which Muster sends once the command's event
// is committed with fsync.
type pacedAcks struct {
	prefix  []byte // `"id":"p<run>-`, how this run's paced commands' acks begin their id
	sentAt  []int64
	ackedAt []atomic.Int64
}

func newPacedAcks(run int64, count int) *pacedAcks {
	return &pacedAcks{
		prefix:  []byte(fmt.Sprintf(`"id":"p%d-`, run)),
		sentAt:  make([]int64, count),
		ackedAt: make([]atomic.Int64, count),
	}
}

// noteAck is given every frame the host reads, and when it arrived.
func (p *pacedAcks) noteAck(frame []byte, at int64) {
	if !bytes.Contains(frame, []byte(`"type":"ack"`)) {
		return
	}
	start := bytes.Index(frame, p.prefix)
	if start < 0 {
		return
	}
	digits := frame[start+len(p.prefix):]
	if end := bytes.IndexByte(digits, '"'); end >= 0 {
		digits = digits[:end]
	}
	if k, err := strconv.Atoi(string(digits)); err == nil && k >= 0 && k < len(p.ackedAt) {
		p.ackedAt[k].CompareAndSwap(0, at)
	}
}

// offer sends every command at `rate` a second through `send`, then waits (at most 10 s)
// for their acks. It returns acks per second (from the first send to the last ack) and
// the p50 and p99 of each command's wait for its ack, in ms.
func (p *pacedAcks) offer(rate int, send func(id, body string)) (perSecond, p50, p99 float64) {
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	for k := range p.sentAt {
		if wait := time.Until(start.Add(time.Duration(k) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		p.sentAt[k] = time.Now().UnixNano()
		send(string(p.prefix[len(`"id":"`):])+strconv.Itoa(k), fmt.Sprintf(`"cmd":"text.advance","line":%d`, k%2))
	}
	deadline := time.Now().Add(10 * time.Second)
	var waits []float64
	for k := 0; k < len(p.sentAt) && time.Now().Before(deadline); {
		if at := p.ackedAt[k].Load(); at != 0 {
			waits = append(waits, float64(at-p.sentAt[k])/1e6)
			k++
		} else {
			time.Sleep(time.Millisecond)
		}
	}
	if len(waits) == 0 {
		return 0, 0, 0
	}
	last := int64(0)
	for k := range waits {
		if at := p.ackedAt[k].Load(); at > last {
			last = at
		}
	}
	return float64(len(waits)) / (float64(last-p.sentAt[0]) / 1e9), percentile(waits, 50), percentile(waits, 99)
}
