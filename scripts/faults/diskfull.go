package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// mountSmall mounts a tmpfs of size on a new directory and unmounts it at
// clean-up. It fails where mounting is not allowed (not root, or no
// CAP_SYS_ADMIN in a container).
func mountSmall(e *env, size string) (string, error) {
	dir, err := e.tempDir()
	if err != nil {
		return "", err
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		return "", fmt.Errorf("mount -t tmpfs on %s: %v: %s", dir, err, strings.TrimSpace(string(out)))
	}
	e.onCleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir, nil
}

// fill writes a file in dir until the file system is full, and returns it.
func fill(dir string) (string, error) {
	file := filepath.Join(dir, "filler")
	f, err := os.Create(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf := make([]byte, 64*1024)
	for {
		if _, err := f.Write(buf); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return file, nil
			}
			return "", fmt.Errorf("fill %s: %w", dir, err)
		}
	}
}

// diskFull runs serve with its data on a small file system, fills it, and
// checks that writes are refused with a clear error, the gateway keeps
// serving, nothing acknowledged is lost, the database stays sound, and
// writes succeed again once there is room.
func diskFull(ctx context.Context, e *env, rounds int, r *result) {
	dir, err := mountSmall(e, "16m")
	if err != nil {
		r.skipped = "cannot mount a small file system here, so the disk cannot be filled: " + err.Error()
		return
	}
	b, err := startFaultyBackend(e)
	if err != nil {
		r.failf("%v", err)
		return
	}
	s, err := e.startServe(serveOptions{dataDir: dir})
	if err != nil {
		r.failf("%v", err)
		return
	}
	if err := s.publish("live", b.url, ""); err != nil {
		r.failf("%v", err)
		return
	}
	gw := "http://" + s.gateway + "/live/x"
	if !waitFor(5*time.Second, func() bool { code, _ := get(ctx, gatewayClient, gw); return code == 200 }) {
		r.failf("the API was not served within 5s")
		return
	}
	written := map[string]string{}
	put := func(id string) (int, string) {
		value := "value-of-" + id
		code, body, err := s.call("PUT", "/namedValues/"+id, `{"properties":{"displayName":"`+id+`","value":"`+value+`"}}`)
		if err != nil {
			return 0, err.Error()
		}
		if code/100 == 2 {
			written[id] = value
		}
		var m struct {
			Error struct{ Code, Message string }
		}
		json.Unmarshal(body, &m)
		return code, m.Error.Code + ": " + m.Error.Message
	}
	refused, answer := 0, ""
	for round := range rounds {
		for i := range 3 {
			if code, msg := put(fmt.Sprintf("before-%d-%d", round, i)); code/100 != 2 {
				r.failf("round %d: a write with room answered %d %s", round, code, msg)
			}
		}
		filler, err := fill(dir)
		if err != nil {
			r.failf("round %d: %v", round, err)
			return
		}
		for i := range 5 {
			code, msg := put(fmt.Sprintf("full-%d-%d", round, i))
			if code/100 == 2 {
				continue // SQLite may still have room in pages it holds
			}
			refused++
			answer = fmt.Sprintf("%d %s", code, msg)
		}
		if code, _ := get(ctx, gatewayClient, gw); code != 200 {
			r.failf("round %d: the gateway answered %d with the disk full", round, code)
		}
		os.Remove(filler)
		if code, msg := put(fmt.Sprintf("after-%d", round)); code/100 != 2 {
			r.failf("round %d: a write once there is room again answered %d %s", round, code, msg)
		}
	}
	if refused == 0 {
		r.failf("no write was refused with the disk full")
	}
	logs := s.logs.String()
	clear := strings.Contains(logs, "disk is full") || strings.Contains(logs, "no space left")
	if refused > 0 && !clear {
		r.failf("the refusals were not logged as a full disk:\n%s", lastLines(logs, 5))
	}
	lost := 0
	for id, value := range written {
		code, body, err := s.call("GET", "/namedValues/"+id, "")
		var nv struct{ Properties struct{ Value string } }
		json.Unmarshal(body, &nv)
		if err != nil || code != 200 || nv.Properties.Value != value {
			lost++
		}
	}
	if lost > 0 {
		r.failf("%d acknowledged writes lost", lost)
	}
	if err := s.stop(); err != nil {
		r.failf("stop: %v", err)
	}
	msg := integrityCheck(filepath.Join(dir, "gatehouse.db"))
	if msg != "ok" {
		r.failf("integrity check: %s", msg)
	}
	r.figure("refused %d, client saw %q, logged as a full disk %v", refused, answer, clear)
	r.figure("acknowledged %d, lost %d, integrity_check %s, writes work again once there is room", len(written), lost, msg)
}

// backupDiskFull runs a self-hosted gateway with its backup on a small
// file system, fills it and changes the configuration: the gateway must
// serve the change, say that the backup was not written, and keep the
// previous backup whole, so that a start without the plane serves it.
func backupDiskFull(ctx context.Context, e *env, rounds int, r *result) {
	dir, err := mountSmall(e, "4m")
	if err != nil {
		r.skipped = "cannot mount a small file system here, so the disk cannot be filled: " + err.Error()
		return
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
	backup := filepath.Join(dir, "backup.json")
	rev := 0
	kept, served := 0, 0
	for round := range rounds {
		n, err := e.startNode(g.plane.mgmt, g.token, backup)
		if err != nil {
			r.failf("round %d: %v", round, err)
			return
		}
		want := strconv.Itoa(rev)
		if !waitFor(5*time.Second, func() bool { code, got := n.rev(ctx, "live"); return code == 200 && got == want }) {
			r.failf("round %d: the node did not serve revision %s within 5s", round, want)
			return
		}
		if !waitFor(5*time.Second, func() bool {
			_, err := os.Stat(backup)
			tmps, _ := filepath.Glob(backup + ".*.tmp")
			return err == nil && len(tmps) == 0
		}) {
			r.failf("round %d: no complete backup within 5s of serving", round)
			return
		}
		backedUp := rev
		filler, err := fill(dir)
		if err != nil {
			r.failf("round %d: %v", round, err)
			return
		}
		rev++
		if err := g.setRev("live", rev); err != nil {
			r.failf("round %d: %v", round, err)
			return
		}
		want = strconv.Itoa(rev)
		if waitFor(5*time.Second, func() bool { code, got := n.rev(ctx, "live"); return code == 200 && got == want }) {
			served++
		} else {
			r.failf("round %d: with its backup's disk full the node did not serve the change within 5s", round)
		}
		if !waitFor(5*time.Second, func() bool {
			logs := n.logs.String()
			return strings.Contains(logs, "backup not written") && strings.Contains(logs, "no space left")
		}) {
			r.failf("round %d: the node did not log that its backup was not written for want of space:\n%s", round, lastLines(n.logs.String(), 3))
		}
		n.kill()
		if tmps, _ := filepath.Glob(backup + ".*.tmp"); len(tmps) > 0 {
			r.failf("round %d: a failed backup left %v", round, tmps)
		}
		// Without the plane, the node has only the previous backup.
		n, err = e.startNode("127.0.0.1:1", g.token, backup)
		if err != nil {
			r.failf("round %d: start from the backup: %v", round, err)
			return
		}
		want = strconv.Itoa(backedUp)
		if waitFor(5*time.Second, func() bool { code, got := n.rev(ctx, "live"); return code == 200 && got == want }) {
			kept++
		} else {
			r.failf("round %d: the node did not serve the previous backup (revision %s):\n%s", round, want, lastLines(n.logs.String(), 3))
		}
		n.kill()
		os.Remove(filler)
	}
	r.figure("changes served with the backup's disk full %d/%d; previous backup intact and served without the plane %d/%d", served, rounds, kept, rounds)
}
