package builtin

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// defaultNamespace is the namespace of APIM's custom metrics.
const defaultNamespace = "API Management"

// maxDimensions is how many dimensions an element may have, as in APIM.
const maxDimensions = 10

// customMetricPrefix starts the Prometheus name of emit-metric's metrics.
const customMetricPrefix = "gatehouse_custom_"

// emitMetric implements <emit-metric name="..." namespace="..."
// value="..."> with <dimension name value> children: it adds value
// (default 1; an expression may give it per request) to the metric
// name, a Prometheus summary without quantiles called
// gatehouse_custom_<name> (its _sum and _count are what Azure Monitor
// aggregates as Sum and Count), labelled with the namespace (default
// "API Management") and the dimensions. It may be in any section.
type emitMetric struct {
	metrics *Metrics
	fam     *family
	ns      string
	value   policy.Value // unset: lit
	lit     float64
	dims    []dimension
}

var _ policy.Step = (*emitMetric)(nil)

func compileEmitMetric(m *Metrics) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "name", "namespace", "value")
		e := &emitMetric{metrics: m, ns: defaultNamespace, lit: 1}
		name, a, ok := c.Literal(n, "name", true)
		prom := metricName(name)
		if ok && prom == "" {
			c.AttrErrorf(n, a, "%q: want a name with letters or digits", name)
		}
		if ns, _, ok := c.Literal(n, "namespace", false); ok {
			e.ns = ns
		}
		if v, ok := c.Attr(n, "value", false); ok {
			if lit, isLit := v.Literal(); isLit {
				f, err := parseMetricValue(lit)
				if err != nil {
					a, _ := n.Attr("value")
					c.AttrErrorf(n, a, "%v", err)
				}
				e.lit = f
			} else {
				e.value = v
			}
		}
		var labels []string
		e.dims, labels = compileDimensions(n, c)
		e.fam = newFamily(customMetricPrefix+prom, "Custom metric "+name+" of emit-metric.", summaryKind, labels)
		return e
	}
}

func (e *emitMetric) Do(c *policy.Context) error {
	v := e.lit
	if e.value.IsSet() {
		r, err := e.value.Any(c)
		if err != nil {
			return fmt.Errorf("value: %w", err)
		}
		if v, err = parseMetricValue(expr.ToString(r)); err != nil {
			return fmt.Errorf("value: %w", err)
		}
	}
	vals, err := dimensionValues(c, e.ns, e.dims)
	if err != nil {
		return err
	}
	e.metrics.add(e.fam, vals, v)
	return nil
}

// parseMetricValue reads a metric's value: a finite number.
func parseMetricValue(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return f, nil
}

// dimension is a compiled <dimension name value>.
type dimension struct {
	value policy.Value
	// def gives a default dimension's value when value is unset.
	def func(c *policy.Context) string
}

// defaultDimensions are APIM's dimensions that may be named without a
// value, keyed by lower-case name.
var defaultDimensions = map[string]func(c *policy.Context) string{
	"api id": func(c *policy.Context) string {
		if c.API == nil {
			return ""
		}
		return c.API.ID
	},
	"operation id": func(c *policy.Context) string {
		if c.Operation == nil {
			return ""
		}
		return c.Operation.ID
	},
	"product id": func(c *policy.Context) string {
		if c.Product == nil {
			return ""
		}
		return c.Product.ID
	},
	"user id": func(c *policy.Context) string {
		if c.User == nil {
			return ""
		}
		return c.User.ID
	},
	"subscription id": func(c *policy.Context) string {
		if c.Subscription == nil {
			return ""
		}
		return c.Subscription.ID
	},
	"location": func(c *policy.Context) string {
		if c.Deployment == nil {
			return ""
		}
		return c.Deployment.Region
	},
	"gateway id": func(c *policy.Context) string {
		if c.Deployment == nil {
			return ""
		}
		return c.Deployment.GatewayID
	},
}

// compileDimensions compiles the <dimension> children of n: 1 to 10 of
// them, with literal names that stay distinct as Prometheus label names
// ("API ID" is api_id). It returns them and the label names, the first
// of which is "namespace".
func compileDimensions(n *policy.Node, c *policy.Compiler) ([]dimension, []string) {
	labels := []string{"namespace"}
	var dims []dimension
	for _, ch := range n.Children {
		if ch.Name != "dimension" {
			c.Errorf(ch, "only <dimension> elements belong in <%s>", n.Name)
			continue
		}
		c.Only(ch, "name", "value")
		name, a, ok := c.Literal(ch, "name", true)
		if !ok {
			continue
		}
		label := metricName(name)
		switch {
		case label == "":
			c.AttrErrorf(ch, a, "%q: want a name with letters or digits", name)
			continue
		case label == "namespace" || strings.HasPrefix(label, "__"):
			c.AttrErrorf(ch, a, "%q is reserved", name)
			continue
		}
		for _, l := range labels {
			if l == label {
				c.AttrErrorf(ch, a, "%q: another dimension has this name (as the label %s)", name, label)
			}
		}
		d := dimension{}
		if v, ok := c.Attr(ch, "value", false); ok {
			d.value = v
		} else if d.def = defaultDimensions[strings.ToLower(strings.TrimSpace(name))]; d.def == nil {
			c.Errorf(ch, "attribute value is required, except for the default dimensions API ID, Operation ID, Product ID, User ID, Subscription ID, Location and Gateway ID")
		}
		labels = append(labels, label)
		dims = append(dims, d)
	}
	switch {
	case len(dims) == 0 && len(n.Children) == 0:
		c.Errorf(n, "at least one <dimension> is required")
	case len(dims) > maxDimensions:
		c.Errorf(n, "at most %d dimensions are allowed, not %d", maxDimensions, len(dims))
	}
	return dims, labels
}

// dimensionValues evaluates ns and the dimensions' values, in the order
// of their labels.
func dimensionValues(c *policy.Context, ns string, dims []dimension) ([]string, error) {
	vals := make([]string, 1, len(dims)+1)
	vals[0] = ns
	for i, d := range dims {
		if d.def != nil {
			vals = append(vals, d.def(c))
			continue
		}
		v, err := d.value.String(c)
		if err != nil {
			return nil, fmt.Errorf("dimension %d: %w", i+1, err)
		}
		vals = append(vals, v)
	}
	return vals, nil
}
