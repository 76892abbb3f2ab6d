package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Limits bound what one listener accepts from its clients. A zero field
// takes its value from DefaultLimits; a negative one turns its limit off.
type Limits struct {
	// ReadHeaderTimeout bounds the time to read a request's headers.
	ReadHeaderTimeout time.Duration
	// RequestBodyTimeout is how long a request body may send nothing; it
	// is also the grace period of RequestBodyMinRate. A body that breaks
	// either fails the handler's read, which answers 408, and the
	// connection is closed.
	RequestBodyTimeout time.Duration
	// RequestBodyMinRate is the average rate, in bytes per second since
	// the body's first read, that a request body must keep up once
	// RequestBodyTimeout has passed.
	RequestBodyMinRate ByteSize
	// IdleTimeout closes a kept-alive connection without a request.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds a request's header fields (names, values and
	// separators, without the request line): 431 beyond.
	MaxHeaderBytes ByteSize
	// MaxURLBytes bounds a request's target (path and query, as sent):
	// 414 beyond.
	MaxURLBytes ByteSize
	// MaxBodyBytes bounds a request's body: 413 beyond.
	MaxBodyBytes ByteSize
	// MaxConnections bounds the connections the listener holds open at
	// once; further ones wait in the kernel's queue until one closes.
	MaxConnections int
}

// DefaultLimits are the limits of a listener whose Limits leave a field
// zero: those of a gateway listener. The URL and body limits are Azure API
// Management's gateway limits (16 KiB request URL, 1 GiB request payload).
var DefaultLimits = Limits{
	ReadHeaderTimeout:  10 * time.Second,
	RequestBodyTimeout: 30 * time.Second,
	RequestBodyMinRate: 1 << 10,
	IdleTimeout:        120 * time.Second,
	MaxHeaderBytes:     64 << 10,
	MaxURLBytes:        16 << 10,
	MaxBodyBytes:       1 << 30,
	MaxConnections:     10000,
}

// withDefaults returns l with its zero fields set from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	setDuration(&l.ReadHeaderTimeout, d.ReadHeaderTimeout)
	setDuration(&l.RequestBodyTimeout, d.RequestBodyTimeout)
	setDuration(&l.IdleTimeout, d.IdleTimeout)
	for _, p := range []struct{ v, d *ByteSize }{{&l.RequestBodyMinRate, &d.RequestBodyMinRate},
		{&l.MaxHeaderBytes, &d.MaxHeaderBytes}, {&l.MaxURLBytes, &d.MaxURLBytes}, {&l.MaxBodyBytes, &d.MaxBodyBytes}} {
		if *p.v == 0 {
			*p.v = *p.d
		}
	}
	if l.MaxConnections == 0 {
		l.MaxConnections = d.MaxConnections
	}
	return l
}

func setDuration(v *time.Duration, d time.Duration) {
	if *v == 0 {
		*v = d
	}
}

// AddFlags defines on f the flags of the limits that every listener of a
// command shares (timeouts, header and URL sizes), and of the body size
// and connection count of its gateway listeners, with DefaultLimits'
// values as defaults.
func (l *Limits) AddFlags(f *pflag.FlagSet) {
	d := DefaultLimits
	*l = d
	f.DurationVar(&l.ReadHeaderTimeout, "read-header-timeout", d.ReadHeaderTimeout, "longest time to read a request's headers, on every listener")
	f.DurationVar(&l.RequestBodyTimeout, "request-body-timeout", d.RequestBodyTimeout,
		"longest time a request body may send nothing, on every listener; then 408 and the connection is closed. Also the grace period of --request-body-min-rate")
	f.Var(&l.RequestBodyMinRate, "request-body-min-rate", "average bytes per second a request body must keep up after --request-body-timeout, on every listener (such as 1KiB); negative: none")
	f.DurationVar(&l.IdleTimeout, "idle-timeout", d.IdleTimeout, "how long a kept-alive connection may wait for its next request, on every listener")
	f.Var(&l.MaxHeaderBytes, "max-header-size", "largest request header section (without the request line), on every listener; 431 beyond")
	f.Var(&l.MaxURLBytes, "max-url-size", "longest request URL (path and query), on every listener; 414 beyond")
	f.Var(&l.MaxBodyBytes, "max-request-body", "largest request body on the gateway listeners (such as 100MiB); 413 beyond; negative: no limit")
	f.IntVar(&l.MaxConnections, "max-connections", d.MaxConnections, "most connections each gateway listener holds open; further ones wait until one closes; negative: no limit")
}

// ByteSize is a number of bytes. As a flag it reads a plain number or one
// with a binary unit: 65536, 64KiB, 100MiB, 1GiB.
type ByteSize int64

var units = []struct {
	suffix string
	scale  int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}

// String returns b with the largest unit that divides it.
func (b ByteSize) String() string {
	for _, u := range units[:3] {
		if b != 0 && int64(b)%u.scale == 0 {
			return strconv.FormatInt(int64(b)/u.scale, 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(b), 10)
}

// Set parses s as String writes it, or as a plain number of bytes.
func (b *ByteSize) Set(s string) error {
	num, scale := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, scale = strings.TrimSpace(n), u.scale
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || (n != 0 && (n*scale)/scale != n) {
		return fmt.Errorf("%q is not a size: want a number of bytes, or one with KiB, MiB or GiB", s)
	}
	*b = ByteSize(n * scale)
	return nil
}

// Type names the flag's value in help.
func (b *ByteSize) Type() string { return "size" }

// ForTools returns the limits of a listener for operators' tools (the
// metrics and profiling listeners): l's timeouts, header and URL sizes,
// with bodies of at most 1 MiB and at most 64 connections.
func (l Limits) ForTools() Limits {
	l.MaxBodyBytes, l.MaxConnections = 1<<20, 64
	return l
}
