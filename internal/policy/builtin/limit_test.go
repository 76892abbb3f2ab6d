package builtin

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/limits"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// limited compiles doc with a memory store on clk and returns a function
// that runs inbound for one request, prepared by prep.
func limited(t *testing.T, doc string, clk *fakeClock) func(prep func(c *policy.Context)) (*policy.Context, error) {
	t.Helper()
	d, err := policy.ParseIn(doc, policy.Env{})
	if err != nil {
		t.Fatal(err)
	}
	eff, err := policy.Merge(nil, d)
	if err != nil {
		t.Fatal(err)
	}
	reg := policy.NewRegistry()
	Register(reg, Deps{Limits: limits.NewMemory(clk.Now)})
	p, err := reg.Compile(eff, policy.Env{})
	if err != nil {
		t.Fatal(err)
	}
	return func(prep func(c *policy.Context)) (*policy.Context, error) {
		c := &policy.Context{Context: expr.Context{
			Request:      &expr.Request{Method: "GET", Headers: http.Header{}, IPAddress: "10.0.0.1", Body: expr.BodyOf(nil)},
			Variables:    map[string]any{},
			Subscription: &expr.Subscription{ID: "sub1"},
			API:          &expr.API{ID: "orders", Name: "orders"},
			Operation:    &expr.Operation{ID: "get-order", Name: "get-order"},
		}}
		if prep != nil {
			prep(c)
		}
		return c, runAnswering(p, c)
	}
}

// status is the response a limit made: 0 when the request passed.
func status(c *policy.Context) int {
	if !c.Ended() {
		return 0
	}
	return c.Response.StatusCode
}

// call is one request of a behaviour table: after a wait, with a
// preparation, expecting a status (0: passed) and, when set, a body.
type call struct {
	after    time.Duration
	prep     func(c *policy.Context)
	want     int
	wantBody string
}

// runCalls runs calls against doc and checks each.
func runCalls(t *testing.T, doc string, calls []call) []*policy.Context {
	t.Helper()
	clk := newFakeClock()
	do := limited(t, doc, clk)
	var out []*policy.Context
	for i, cl := range calls {
		clk.Add(cl.after)
		c, err := do(cl.prep)
		if err != nil {
			t.Fatalf("call %d: inbound: %v", i, err)
		}
		out = append(out, c)
		if got := status(c); got != cl.want {
			t.Fatalf("call %d: status %d, want %d", i, got, cl.want)
		}
		if cl.wantBody != "" {
			body, _ := c.Response.Body.Bytes()
			if string(body) != cl.wantBody {
				t.Errorf("call %d: body %s, want %s", i, body, cl.wantBody)
			}
		}
	}
	return out
}

func sub(id string) func(c *policy.Context) {
	return func(c *policy.Context) { c.Subscription = &expr.Subscription{ID: id} }
}

func TestLimitCompileErrors(t *testing.T) {
	tests := []struct {
		doc, want string
	}{
		{inbound(`<rate-limit renewal-period="60" />`), "1:20: <rate-limit>: attribute calls is required"},
		{inbound(`<rate-limit calls="0" renewal-period="60" />`), `1:39: <rate-limit> calls: "0": want a whole number from 1`},
		{inbound(`<rate-limit calls="5" renewal-period="soon" />`), `1:58: <rate-limit> renewal-period: "soon": want whole seconds`},
		{inbound(`<rate-limit calls="5" renewal-period="@(60)" />`), "renewal-period: an expression is not allowed here"},
		{inbound(`<rate-limit calls="5" renewal-period="60" colour="red" />`), "colour: unknown attribute"},
		{inbound(`<rate-limit calls="5" renewal-period="60"><api calls="1" renewal-period="1" /></rate-limit>`), "<api>: attribute name or id is required"},
		{inbound(`<rate-limit calls="5" renewal-period="60"><product name="p" /></rate-limit>`), "only <api> elements belong in <rate-limit>"},
		{inbound(`<rate-limit calls="5" renewal-period="60"><api name="a" calls="1" renewal-period="1"><method name="x" /></api></rate-limit>`), "only <operation> elements belong in <api>"},
		{`<policies><inbound /><outbound><rate-limit calls="5" renewal-period="60" /></outbound></policies>`, "<rate-limit>: belongs in the inbound section"},
		{inbound(`<rate-limit-by-key calls="5" renewal-period="60" />`), "attribute counter-key is required"},
		{inbound(`<rate-limit-by-key calls="5" renewal-period="60" counter-key="k" increment-count="-1" />`), `increment-count: "-1": want a whole number from 0`},
		{inbound(`<rate-limit-by-key calls="5" renewal-period="60" counter-key="@(1 +)" />`), "<rate-limit-by-key> counter-key"},
		{inbound(`<quota renewal-period="60" />`), "<quota>: attribute calls or bandwidth is required"},
		{inbound(`<quota calls="10" renewal-period="60"><api name="a" renewal-period="60" /></quota>`), "<api>: attribute calls or bandwidth is required"},
		{inbound(`<quota-by-key calls="10" renewal-period="60" counter-key="k" first-period-start="yesterday" />`), `first-period-start: "yesterday": want an ISO 8601 date`},
		{inbound(`<quota-by-key calls="10" renewal-period="60" />`), "attribute counter-key is required"},
		{inbound(`<quota-by-key calls="10" renewal-period="60" counter-key="k"><api name="a" /></quota-by-key>`), "<quota-by-key> has no child elements"},
		{inbound(`<limit-concurrency key="k" max-count="1" timeout="-1" />`), "want whole seconds from 0 to 3600"},
		{inbound(`<limit-concurrency key="k" max-count="1" max-queue-length="x" />`), "want a whole number of requests from 0"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			d, err := policy.ParseIn(tt.doc, policy.Env{})
			if err == nil {
				var eff *policy.Document
				if eff, err = policy.Merge(nil, d); err == nil {
					_, err = NewRegistry().Compile(eff, policy.Env{})
				}
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: error %v, want %q", tt.doc, err, tt.want)
			}
		})
	}
}

func TestTimeSpan(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                               "00:00:00",
		1500 * time.Millisecond:         "00:00:02",
		59*time.Minute + 59*time.Second: "00:59:59",
		25*time.Hour + 61*time.Second:   "1.01:01:01",
		30 * 24 * time.Hour:             "30.00:00:00",
	} {
		if got := timeSpan(d); got != want {
			t.Errorf("timeSpan(%v) = %s, want %s", d, got, want)
		}
	}
}

func TestParseFirstPeriodStart(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2024-01-01T00:00:00Z", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"2024-01-01T02:00:00+02:00", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"2014-08-16T00:00:00", time.Date(2014, 8, 16, 0, 0, 0, 0, time.UTC), true},
		{"2024-03-05", time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC), true},
		{"1969-12-31T00:00:00Z", time.Time{}, false},
		{"05/03/2024", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := parseFirstPeriodStart(tt.in)
		if (err == nil) != tt.ok || !got.Equal(tt.want) {
			t.Errorf("parseFirstPeriodStart(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func FuzzParseRenewalPeriod(f *testing.F) {
	for _, s := range []string{"60", "1", "0", "-5", " 300 ", "9999999999999", "1e3", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseRenewalPeriod(s)
		if err == nil && (d < time.Second || d > maxRenewalPeriod*time.Second) {
			t.Fatalf("parseRenewalPeriod(%q) = %v, out of range", s, d)
		}
		n, err := parseCount(s, 0)
		if err == nil && (n < 0 || n > 1<<53) {
			t.Fatalf("parseCount(%q) = %d, out of range", s, n)
		}
	})
}

func FuzzParseFirstPeriodStart(f *testing.F) {
	for _, s := range []string{"2024-01-01T00:00:00Z", "2014-08-16T00:00:00", "2024-03-05", "2024-01-01T00:00:00.5+14:00", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := parseFirstPeriodStart(s)
		if err != nil {
			return
		}
		if tm.Location() != time.UTC || tm.Year() < 1969 || tm.Year() > 10000 {
			t.Fatalf("parseFirstPeriodStart(%q) = %v", s, tm)
		}
		// A fixed window of any period from this start is computable.
		c := limits.Counter{Key: "k", Limit: 1, Period: time.Second, Fixed: true, Start: tm, N: 1}
		if _, err := limits.NewMemory(newFakeClock().Now).Take(t.Context(), "g", []limits.Counter{c}); err != nil {
			t.Fatal(err)
		}
	})
}
