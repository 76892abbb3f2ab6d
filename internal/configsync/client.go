package configsync

import (
	"context"
	cryptorand "crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/gatewaykey"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/secret"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// Credentials produce the Authorization header of a gateway's requests.
type Credentials interface {
	Authorization() (string, error)
}

// TokenCredentials is a GatewayKey token.
type TokenCredentials string

// Authorization returns the token.
func (t TokenCredentials) Authorization() (string, error) {
	return gatewaykey.Prefix + strings.TrimPrefix(strings.TrimSpace(string(t)), gatewaykey.Prefix), nil
}

// FileCredentials is a workload-identity token in a file (a projected
// service-account token). The file is read for every request, so a
// rotated token is picked up at once.
type FileCredentials struct{ Path string }

// Authorization returns "Bearer " and the file's content.
func (f FileCredentials) Authorization() (string, error) {
	b, err := os.ReadFile(f.Path)
	if err != nil {
		return "", fmt.Errorf("workload identity token: %w", err)
	}
	return "Bearer " + strings.TrimSpace(string(b)), nil
}

// ClientOptions configures a Client.
type ClientOptions struct {
	// Endpoint is the management plane's base URL, such as
	// https://gatehouse.example.com:8090. Required.
	Endpoint string
	// Gateway is the gateway's id. Required.
	Gateway string
	// Credentials authenticate the gateway. Required.
	Credentials Credentials
	// Install receives every new snapshot. An error wrapping
	// compile.ErrRejected says it was installed in part (some APIs kept
	// their last good version): the version counts as installed, but the
	// backup is not written from it. Any other error: not installed.
	// Required.
	Install func(*snapshot.Snapshot) error
	// Rejected returns the problems of the installed configuration, for
	// heartbeats. Nil: none are reported.
	Rejected func() []compile.Diagnostic
	// Circuits returns the states of the node's backend circuit
	// breakers, for heartbeats. Nil: none are reported.
	Circuits func() []model.BackendCircuit
	// HTTPClient talks to the management plane. Nil: http.DefaultTransport
	// with a 60-second timeout.
	HTTPClient *http.Client
	// BackupFile keeps the last good snapshot, encrypted with BackupKey
	// (snapshots hold secret named values). Empty: no backup.
	BackupFile string
	// BackupKey seals the backup file; required with BackupFile.
	BackupKey *secret.Sealer
	// Node describes this gateway node in heartbeats.
	Node Heartbeat
	// HeartbeatInterval is the time between heartbeats. 0: 10 seconds.
	HeartbeatInterval time.Duration
	// Logger receives what the client does. Nil: discard.
	Logger *slog.Logger
	// Now is the clock. Nil: time.Now.
	Now func() time.Time
	// FullSnapshots makes the client ask for full snapshots only, as
	// gateways before deltas did; by default it asks for the delta from
	// the snapshot it holds (see DeltaContentType).
	FullSnapshots bool
}

// Client keeps a self-hosted gateway's configuration in step with the
// management plane.
type Client struct {
	opts    ClientOptions
	log     *slog.Logger
	now     func() time.Time
	version atomic.Int64 // of the installed snapshot; -1 before any
	seen    atomic.Int64 // the newest version received, installed or not
	// held is the installed snapshot, which deltas apply to; nil before
	// any, or after a delta that did not apply (the next poll asks for
	// the full snapshot).
	held atomic.Pointer[snapshot.Snapshot]
}

// BackupKey returns the key that seals a gateway's backup file: env
// (32 bytes, base64) when it is set, else the file keyFile, generated
// with mode 0600 on first use.
func BackupKey(env, keyFile string) (*secret.Sealer, error) {
	if env == "" {
		var err error
		env, _, err = secret.LoadOrCreateFile(keyFile, func() (string, error) {
			b := make([]byte, secret.KeySize)
			if _, err := cryptorand.Read(b); err != nil {
				return "", err
			}
			return base64.StdEncoding.EncodeToString(b), nil
		})
		if err != nil {
			return nil, fmt.Errorf("backup key: %w", err)
		}
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(env))
	if err != nil {
		return nil, fmt.Errorf("backup key: not base64: %w", err)
	}
	return secret.NewSealer(key)
}

// NewClient returns a Client; Run starts it.
func NewClient(opts ClientOptions) *Client {
	c := &Client{opts: opts, log: opts.Logger, now: opts.Now}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.opts.HTTPClient == nil {
		c.opts.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	if c.opts.HeartbeatInterval <= 0 {
		c.opts.HeartbeatInterval = 10 * time.Second
	}
	c.opts.Endpoint = strings.TrimSuffix(c.opts.Endpoint, "/")
	c.version.Store(-1)
	return c
}

// Run installs the backup (if any), then follows the management plane
// until ctx is done: long-polling for snapshots, sending heartbeats, and
// warning ahead of a token's expiry. It returns nil when ctx is cancelled.
func (c *Client) Run(ctx context.Context) error {
	if err := c.restoreBackup(); err != nil {
		c.log.Warn("backup not used", "file", c.opts.BackupFile, "err", err)
	}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { c.pollLoop(ctx); return nil })
	g.Go(func() error { c.heartbeatLoop(ctx); return nil })
	if tok, ok := c.opts.Credentials.(TokenCredentials); ok {
		g.Go(func() error { c.watchExpiry(ctx, string(tok)); return nil })
	}
	return g.Wait()
}

// Version returns the installed configuration version, or -1.
func (c *Client) Version() int64 { return c.version.Load() }

func (c *Client) pollLoop(ctx context.Context) {
	// At most a second between tries, so that a change made the moment the
	// plane returns reaches every gateway within about a second.
	delay := backoff{min: 250 * time.Millisecond, max: time.Second}
	failing := false
	for ctx.Err() == nil {
		snap, err := c.poll(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if !failing {
				c.log.Warn("management plane unreachable; serving the last configuration and retrying",
					"endpoint", c.opts.Endpoint, "version", c.Version(), "err", err)
				failing = true
			} else {
				c.log.Debug("management plane still unreachable", "err", err)
			}
			sleep(ctx, delay.next())
			continue
		}
		if failing {
			c.log.Info("management plane reachable again", "endpoint", c.opts.Endpoint)
			failing = false
		}
		delay.reset()
		if snap != nil {
			c.install(snap)
		}
	}
}

// poll asks for a snapshot newer than the installed one; nil when there
// is none within the server's wait.
func (c *Client) poll(ctx context.Context) (*snapshot.Snapshot, error) {
	after := max(c.Version(), c.seen.Load())
	url := SnapshotURL(c.opts.Endpoint, c.opts.Gateway, after)
	held := c.held.Load()
	if held != nil && held.Version == after && !c.opts.FullSnapshots {
		url = DeltaURL(c.opts.Endpoint, c.opts.Gateway, after)
	}
	resp, err := c.do(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		body := io.LimitReader(resp.Body, 256<<20)
		if resp.Header.Get("Content-Type") == DeltaContentType {
			return c.applyDelta(body, held)
		}
		var snap snapshot.Snapshot
		if err := json.NewDecoder(body).Decode(&snap); err != nil {
			return nil, fmt.Errorf("decode snapshot: %w", err)
		}
		return &snap, nil
	case http.StatusNotModified:
		return nil, nil
	}
	return nil, statusError(resp)
}

// applyDelta reads a delta from body and returns the snapshot it makes
// of held. A delta that does not apply is logged, and the next poll
// asks for the full snapshot.
func (c *Client) applyDelta(body io.Reader, held *snapshot.Snapshot) (*snapshot.Snapshot, error) {
	var d snapshot.Delta
	err := json.NewDecoder(body).Decode(&d)
	var snap *snapshot.Snapshot
	if err == nil && held != nil {
		snap, err = snapshot.Apply(held, &d)
	} else if err == nil {
		err = errors.New("no snapshot to apply it to")
	}
	if err != nil {
		c.held.Store(nil)
		c.log.Warn("configuration delta not applied; asking for the full configuration", "err", err)
		return nil, nil
	}
	return snap, nil
}

func (c *Client) install(snap *snapshot.Snapshot) {
	if snap.Version <= c.Version() {
		return
	}
	c.seen.Store(snap.Version)
	if snap.Schema > snapshot.SchemaVersion {
		c.log.Error("configuration not installed: its schema is newer than this gateway knows; serving the last configuration until the gateway is upgraded",
			"version", snap.Version, "schema", snap.Schema, "known_schema", snapshot.SchemaVersion, "served_version", c.Version())
		return
	}
	err := c.opts.Install(snap)
	if err != nil && !errors.Is(err, compile.ErrRejected) {
		c.log.Error("configuration not installed", "version", snap.Version, "err", err)
		return
	}
	c.version.Store(snap.Version)
	c.held.Store(snap)
	if err != nil {
		c.log.Warn("configuration installed in part; the backup keeps the last configuration that compiled", "version", snap.Version)
		return
	}
	if c.opts.BackupFile != "" {
		if err := writeBackup(c.opts.BackupFile, c.opts.BackupKey, snap); err != nil {
			c.log.Error("backup not written", "file", c.opts.BackupFile, "err", err)
		}
	}
}

func (c *Client) restoreBackup() error {
	if c.opts.BackupFile == "" {
		return nil
	}
	b, err := os.ReadFile(c.opts.BackupFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.opts.BackupKey == nil {
		return errors.New("no backup key")
	}
	plain, err := c.opts.BackupKey.Open(b, []byte(backupAD))
	if err != nil {
		return fmt.Errorf("decrypt backup: %w", err)
	}
	var snap snapshot.Snapshot
	if err := json.Unmarshal(plain, &snap); err != nil {
		return fmt.Errorf("decode backup: %w", err)
	}
	if !strings.EqualFold(snap.Gateway, c.opts.Gateway) {
		return fmt.Errorf("the backup is of gateway %q, not %q", snap.Gateway, c.opts.Gateway)
	}
	if snap.Schema > snapshot.SchemaVersion {
		return fmt.Errorf("the backup's schema %d is newer than this gateway knows (%d)", snap.Schema, snapshot.SchemaVersion)
	}
	if err := c.opts.Install(&snap); err != nil && !errors.Is(err, compile.ErrRejected) {
		return err
	}
	c.version.Store(snap.Version)
	c.held.Store(&snap)
	c.log.Info("serving the configuration from the backup until the management plane answers",
		"file", c.opts.BackupFile, "version", snap.Version)
	return nil
}

// backupAD binds a sealed backup to its purpose.
const backupAD = "gatehouse gateway backup"

// writeBackup replaces file with snap, sealed with key, atomically (write,
// sync, rename).
func writeBackup(file string, key *secret.Sealer, snap *snapshot.Snapshot) error {
	if key == nil {
		return errors.New("no backup key")
	}
	plain, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	b := key.Seal(plain, []byte(backupAD))
	tmp, err := os.CreateTemp(filepath.Dir(file), filepath.Base(file)+".*.tmp") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

func (c *Client) heartbeatLoop(ctx context.Context) {
	t := time.NewTicker(c.opts.HeartbeatInterval)
	defer t.Stop()
	for {
		c.heartbeat(ctx, false)
		select {
		case <-ctx.Done():
			// Say goodbye, so the node leaves the status at once.
			bctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			c.heartbeat(bctx, true)
			cancel()
			return
		case <-t.C:
		}
	}
}

func (c *Client) heartbeat(ctx context.Context, leaving bool) {
	hb := c.opts.Node
	hb.ConfigVersion, hb.Leaving = c.Version(), leaving
	if c.opts.Rejected != nil && !leaving {
		hb.Rejected = c.opts.Rejected()
	}
	if c.opts.Circuits != nil && !leaving {
		hb.Circuits = c.opts.Circuits()
	}
	body, _ := json.Marshal(hb)
	resp, err := c.do(ctx, http.MethodPost, HeartbeatURL(c.opts.Endpoint, c.opts.Gateway), body)
	if err != nil {
		c.log.Debug("heartbeat not sent", "err", err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		c.log.Debug("heartbeat refused", "status", resp.StatusCode)
	}
}

func (c *Client) do(ctx context.Context, method, url string, body []byte) (*http.Response, error) {
	auth, err := c.opts.Credentials.Authorization()
	if err != nil {
		return nil, err
	}
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(string(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", auth)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.opts.HTTPClient.Do(req)
}

// watchExpiry logs a day before the token expires, and when it does.
func (c *Client) watchExpiry(ctx context.Context, token string) {
	tok, err := gatewaykey.Parse(token)
	if err != nil {
		c.log.Error("the gateway token is malformed; the management plane will refuse it", "err", err)
		return
	}
	warnAt := tok.Expiry.Add(-24 * time.Hour)
	if d := warnAt.Sub(c.now()); d > 0 && !sleep(ctx, d) {
		return
	}
	if c.now().Before(tok.Expiry) {
		c.log.Warn("the gateway token expires within a day: generate a new one (POST /mgmt/gateways/{id}/generateToken)",
			"gateway", c.opts.Gateway, "expiry", tok.Expiry)
		if !sleep(ctx, tok.Expiry.Sub(c.now())) {
			return
		}
	}
	c.log.Error("the gateway token has expired: configuration changes no longer arrive; serving continues on the last configuration",
		"gateway", c.opts.Gateway, "expiry", tok.Expiry, "version", c.Version())
}

func statusError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	var e struct {
		Error struct{ Code, Message string }
	}
	if json.Unmarshal(b, &e) == nil && e.Error.Message != "" {
		return fmt.Errorf("%s: %s", resp.Status, e.Error.Message)
	}
	return fmt.Errorf("%s", resp.Status)
}

// backoff doubles a delay from min to max, with jitter.
type backoff struct {
	min, max, cur time.Duration
}

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(2*b.cur, b.max)
	}
	return b.cur/2 + rand.N(b.cur/2+1) // between half and all of it
}

func (b *backoff) reset() { b.cur = 0 }

// sleep waits d or until ctx is done; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
