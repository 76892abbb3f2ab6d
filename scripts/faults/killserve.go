package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

func killServeSQLite(ctx context.Context, e *env, rounds int, r *result) {
	killServe(ctx, e, rounds, "", r)
}

func killServePostgres(ctx context.Context, e *env, rounds int, r *result) {
	if e.postgres == "" {
		r.skipped = "set GATEHOUSE_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run it"
		return
	}
	storeURL, err := freshSchema(e)
	if err != nil {
		r.failf("%v", err)
		return
	}
	killServe(ctx, e, rounds, storeURL, r)
}

// freshSchema creates a schema in the test PostgreSQL server, dropped at
// clean-up, and returns a URL that uses it.
func freshSchema(e *env) (string, error) {
	db, err := sql.Open("pgx", e.postgres)
	if err != nil {
		return "", fmt.Errorf("open postgres: %w", err)
	}
	defer db.Close()
	schema := fmt.Sprintf("gh_faults_%d", time.Now().UnixNano())
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		return "", fmt.Errorf("create schema: %w", err)
	}
	e.onCleanup(func() {
		if db, err := sql.Open("pgx", e.postgres); err == nil {
			db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		}
	})
	u, err := url.Parse(e.postgres)
	if err != nil {
		return "", fmt.Errorf("GATEHOUSE_TEST_POSTGRES: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// killServe runs a loop of named-value writes against serve, kills it
// with SIGKILL at a random moment, starts it again on the same store and
// checks that every write answered 2xx is there with its value.
func killServe(ctx context.Context, e *env, rounds int, storeURL string, r *result) {
	dir, err := e.tempDir()
	if err != nil {
		r.failf("%v", err)
		return
	}
	acked, lost, inFlight := 0, 0, 0
	var restarts []time.Duration
	for round := range rounds {
		if ctx.Err() != nil {
			r.failf("interrupted")
			return
		}
		s, err := e.startServe(serveOptions{dataDir: dir, storeURL: storeURL})
		if err != nil {
			r.failf("round %d: %v", round, err)
			return
		}
		written, unknown := writeUntilKilled(s, round, time.Duration(50+e.rnd.IntN(700))*time.Millisecond)
		acked += len(written)
		inFlight += unknown
		if storeURL == "" {
			if msg := integrityCheck(filepath.Join(dir, "gatehouse.db")); msg != "ok" {
				r.failf("round %d: integrity check after kill -9: %s", round, msg)
			}
		}
		t0 := time.Now()
		s, err = e.startServe(serveOptions{dataDir: dir, storeURL: storeURL})
		if err != nil {
			r.failf("round %d: restart after kill -9: %v", round, err)
			return
		}
		restarts = append(restarts, time.Since(t0))
		for id, value := range written {
			code, b, err := s.call("GET", "/namedValues/"+id, "")
			var nv struct{ Properties struct{ Value string } }
			json.Unmarshal(b, &nv)
			if err != nil || code != 200 || nv.Properties.Value != value {
				lost++
				if lost <= 3 {
					r.failf("round %d: acknowledged %s lost: %d %v %s", round, id, code, err, b)
				}
			}
		}
		if err := s.stop(); err != nil {
			r.failf("round %d: stop: %v", round, err)
		}
		e.logf("round %d: %d writes acknowledged, %d in flight at the kill", round, len(written), unknown)
	}
	if storeURL == "" {
		if msg := integrityCheck(filepath.Join(dir, "gatehouse.db")); msg != "ok" {
			r.failf("integrity check at the end: %s", msg)
		}
	}
	if acked < rounds {
		r.failf("only %d writes acknowledged in %d rounds: the loop did not run", acked, rounds)
	}
	r.figure("acknowledged %d, in flight at kill %d, acknowledged-but-lost %d", acked, inFlight, lost)
	if storeURL == "" {
		r.figure("integrity_check ok")
	}
	r.figure("restart p50 %v", percentile(restarts, 50).Round(time.Millisecond))
}

// writeUntilKilled writes named values from 4 clients and kills s d
// after the first write was acknowledged (so that a slow first write,
// on a loaded machine, does not leave a round without any). It returns
// the values acknowledged with a 2xx (id to value), and how many writes
// had no answer when s died.
func writeUntilKilled(s *servePlane, round int, d time.Duration) (map[string]string, int) {
	var mu sync.Mutex
	written := map[string]string{}
	var unknown atomic.Int64
	var seq atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	firstAck := make(chan struct{})
	var once sync.Once
	for w := range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				n := seq.Add(1)
				id := fmt.Sprintf("r%d-w%d-%d", round, w, n)
				value := fmt.Sprintf("value-%d-%d", round, n)
				code, _, err := s.call("PUT", "/namedValues/"+id, `{"properties":{"displayName":"`+id+`","value":"`+value+`"}}`)
				if err != nil {
					unknown.Add(1)
					return // the process is gone
				}
				if code/100 == 2 {
					mu.Lock()
					written[id] = value
					mu.Unlock()
					once.Do(func() { close(firstAck) })
				}
			}
		})
	}
	select {
	case <-firstAck:
	case <-time.After(30 * time.Second): // no write is acknowledged: the caller reports it
	}
	time.Sleep(d) // the random moment of the kill, not a wait for a condition
	s.kill()
	close(stop)
	wg.Wait()
	return written, int(unknown.Load())
}

// integrityCheck opens the SQLite database read-only and returns the
// result of PRAGMA integrity_check ("ok" when it is sound).
func integrityCheck(file string) string {
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		return err.Error()
	}
	defer db.Close()
	var msg string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&msg); err != nil {
		return "integrity_check: " + err.Error()
	}
	return msg
}
