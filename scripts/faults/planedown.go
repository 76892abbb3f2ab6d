package main

import (
	"context"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// planeDown runs two self-hosted nodes under load, kills the management
// plane for a while, and checks that no request fails meanwhile and that a
// change made as soon as the plane is back reaches both nodes. rounds is
// the number of outages; each lasts 5 minutes (3 s in the short form).
func planeDown(ctx context.Context, e *env, rounds int, r *result) {
	down := 5 * time.Minute // as long as the outages operators plan for
	if e.short {
		down = 3 * time.Second
	}
	planeDir, err := e.tempDir()
	if err != nil {
		r.failf("%v", err)
		return
	}
	g, err := newEdge(e, planeDir, "live")
	if err != nil {
		r.failf("%v", err)
		return
	}
	var nodes []*gatewayNode
	for i := range 2 {
		dir, err := e.tempDir()
		if err != nil {
			r.failf("%v", err)
			return
		}
		n, err := e.startNode(g.plane.mgmt, g.token, filepath.Join(dir, "backup.json"))
		if err != nil {
			r.failf("node %d: %v", i, err)
			return
		}
		nodes = append(nodes, n)
	}
	rev := 0
	servedByBoth := func(want string) bool {
		for _, n := range nodes {
			if code, got := n.rev(ctx, "live"); code != 200 || got != want {
				return false
			}
		}
		return true
	}
	if !waitFor(5*time.Second, func() bool { return servedByBoth("0") }) {
		r.failf("the nodes did not serve the API within 5s")
		return
	}
	var sent, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, n := range nodes {
		for range 2 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					case <-time.After(5 * time.Millisecond): // pacing of the load
					}
					sent.Add(1)
					if code, _ := n.rev(ctx, "live"); code != 200 {
						failed.Add(1)
					}
				}
			})
		}
	}
	var reach, next []time.Duration
	for round := range rounds {
		addr := g.plane.mgmt
		g.plane.kill()
		time.Sleep(down) // the outage
		s, err := e.startServe(serveOptions{dataDir: planeDir, mgmtAddr: addr})
		if err != nil {
			r.failf("round %d: restart the plane: %v", round, err)
			break
		}
		g.plane = s
		rev++
		t0 := time.Now()
		if err := g.setRev("live", rev); err != nil {
			r.failf("round %d: %v", round, err)
			break
		}
		want := itoa(rev)
		if !waitFor(40*time.Second, func() bool { return servedByBoth(want) }) {
			r.failf("round %d: a change made when the plane returned did not reach both nodes within 40s", round)
			break
		}
		reach = append(reach, time.Since(t0))
		// A change once they are connected again travels by long poll.
		rev++
		t0 = time.Now()
		if err := g.setRev("live", rev); err != nil {
			r.failf("round %d: %v", round, err)
			break
		}
		want = itoa(rev)
		if !waitFor(time.Second, func() bool { return servedByBoth(want) }) {
			r.failf("round %d: a change made after the nodes reconnected did not reach both within 1s", round)
		}
		next = append(next, time.Since(t0))
		e.logf("round %d: down %v, change at return reached both in %v, next one in %v", round, down, reach[len(reach)-1], time.Since(t0))
	}
	close(stop)
	wg.Wait()
	if failed.Load() > 0 {
		r.failf("%d of %d requests failed while the plane was down or returning", failed.Load(), sent.Load())
	}
	worst := percentile(reach, 100)
	note := "within the 1 s goal"
	if worst > time.Second {
		note = "OVER the 1 s goal: nodes retry with a backoff of up to 30 s"
	}
	r.figure("down %v x%d, %d requests, failed %d", down, rounds, sent.Load(), failed.Load())
	r.figure("change made at return reached both in %v (%s); once reconnected in %v", worst.Round(time.Millisecond), note,
		percentile(next, 100).Round(time.Millisecond))
}

func itoa(i int) string { return strconv.Itoa(i) }
