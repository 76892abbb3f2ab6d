package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/gatehouse/gatehouse/cmd/internal/selfhosted"
)

// instance is a running `gatehouse serve` on loopback ports.
type instance struct {
	t      *testing.T
	addrs  serveAddrs
	token  string
	cancel context.CancelFunc
	done   chan error
	logs   *syncBuffer
	scheme string       // of the management address
	client *http.Client // trusts the management address's certificate
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs serve with its data in dataDir (and in PostgreSQL when
// storeURL is set) until the test ends or stop is called.
func startServe(t *testing.T, dataDir, storeURL string, tweak ...func(*serveConfig)) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	inst := &instance{t: t, cancel: cancel, done: make(chan error, 1), logs: &syncBuffer{}}
	ready := make(chan serveAddrs, 1)
	cfg := serveConfig{
		DataDir: dataDir, StoreURL: storeURL,
		GatewayHTTP: "127.0.0.1:0", MgmtAddr: "127.0.0.1:0",
		LogFormat: "json", LogLevel: "info", ShutdownGrace: 5 * time.Second,
		GatewaySettings: selfhosted.GatewaySettings{AccessLog: true, BackendTimeout: 5 * time.Second, RedisFailOpen: true},
		Stdout:          inst.logs,
		Ready:           func(a serveAddrs) { ready <- a },
	}
	for _, f := range tweak {
		f(&cfg)
	}
	inst.scheme, inst.client = "http", http.DefaultClient
	if cfg.MgmtTLSCert != "" {
		inst.scheme, inst.client = "https", clientTrusting(t, cfg.MgmtTLSCert)
	}
	go func() { inst.done <- runServe(ctx, cfg) }()
	select {
	case inst.addrs = <-ready:
	case err := <-inst.done:
		t.Fatalf("serve stopped at start: %v\n%s", err, inst.logs)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start within 30s")
	}
	tok, err := os.ReadFile(filepath.Join(dataDir, "admin.token"))
	if err != nil {
		t.Fatalf("read admin token: %v", err)
	}
	inst.token = strings.TrimSpace(string(tok))
	t.Cleanup(inst.stop)
	inst.waitReady()
	return inst
}

// stop shuts serve down as SIGTERM would and waits for it to return.
func (in *instance) stop() {
	if in.cancel == nil {
		return
	}
	in.cancel()
	in.cancel = nil
	select {
	case err := <-in.done:
		if err != nil {
			in.t.Errorf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		in.t.Error("serve did not stop within 15s")
	}
}

func (in *instance) waitReady() {
	in.t.Helper()
	eventually(in.t, 5*time.Second, "gateway readiness", func() bool {
		resp, err := http.Get(in.gatewayURL("/internal-status-0123456789abcdef"))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

func (in *instance) gatewayURL(path string) string { return "http://" + in.addrs.GatewayHTTP + path }

// reply is a response with its body read.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

// mgmt sends a management API request with the admin token. Headers are
// given as "Name: value" strings.
func (in *instance) mgmt(method, path, body string, headers ...string) reply {
	in.t.Helper()
	req, err := http.NewRequest(method, in.scheme+"://"+in.addrs.Mgmt+"/mgmt"+path, strings.NewReader(body))
	if err != nil {
		in.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+in.token)
	req.Header.Set("Content-Type", "application/json")
	return sendWith(in.t, in.client, req, headers...)
}

// must sends a management request and fails the test unless it answers
// with a 2xx status.
func (in *instance) must(method, path, body string) reply {
	in.t.Helper()
	r := in.mgmt(method, path, body)
	if r.status/100 != 2 {
		in.t.Fatalf("%s %s: %d %s", method, path, r.status, r.body)
	}
	return r
}

// call sends a request through the gateway.
func (in *instance) call(method, path string, headers ...string) reply {
	in.t.Helper()
	req, err := http.NewRequest(method, in.gatewayURL(path), nil)
	if err != nil {
		in.t.Fatal(err)
	}
	return send(in.t, req, headers...)
}

func send(t *testing.T, req *http.Request, headers ...string) reply {
	t.Helper()
	return sendWith(t, http.DefaultClient, req, headers...)
}

func sendWith(t *testing.T, client *http.Client, req *http.Request, headers ...string) reply {
	t.Helper()
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(k, strings.TrimSpace(v))
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", req.URL, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true within %v", what, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// seen is what the test backend received.
type seen struct {
	Method string      `json:"method"`
	Path   string      `json:"path"`
	Query  string      `json:"query"`
	Host   string      `json:"host"`
	Header http.Header `json:"header"`
}

// newBackend starts a backend that answers every request with a JSON
// description of it.
func newBackend(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := r.URL.Query().Get("sleep"); d != "" {
			dur, _ := time.ParseDuration(d)
			time.Sleep(dur)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(seen{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Host: r.Host, Header: r.Header})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func decodeSeen(t *testing.T, r reply) seen {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("gateway answered %d: %s", r.status, r.body)
	}
	var s seen
	if err := json.Unmarshal(r.body, &s); err != nil {
		t.Fatalf("backend body: %v: %s", err, r.body)
	}
	return s
}

// postgresURL returns a URL of a fresh schema in the test PostgreSQL
// server, dropped when the test ends, or skips the test.
func postgresURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv("GATEHOUSE_TEST_POSTGRES")
	if base == "" {
		msg := "set GATEHOUSE_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run the PostgreSQL tests"
		if os.Getenv("GATEHOUSE_REQUIRE_SERVICES") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	schema := fmt.Sprintf("gh_serve_%d", time.Now().UnixNano())
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err == nil {
			db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// clientTrusting returns a client that trusts every certificate in the
// PEM file (a chain whose last certificate is the CA).
func clientTrusting(t *testing.T, pemFile string) *http.Client {
	t.Helper()
	b, err := os.ReadFile(pemFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		t.Fatalf("no certificate in %s", pemFile)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// privateCA writes a CA certificate and a server certificate for
// 127.0.0.1 signed by it into dir, and returns the CA file, the chain
// (server, then CA) and the server key.
func privateCA(t *testing.T, dir string) (caFile, chainFile, keyFile string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Gatehouse test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTpl, caTpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	srvKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srvTpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTpl, caTpl, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(srvKey)
	pemOf := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }
	caFile, chainFile, keyFile = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "chain.pem"), filepath.Join(dir, "key.pem")
	for file, data := range map[string][]byte{
		caFile: pemOf("CERTIFICATE", caDER), chainFile: append(pemOf("CERTIFICATE", srvDER), pemOf("CERTIFICATE", caDER)...),
		keyFile: pemOf("EC PRIVATE KEY", keyDER),
	} {
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return caFile, chainFile, keyFile
}
