package controller_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/gatehouse/gatehouse/deploy/controller"
)

// ordersDocument is the OpenAPI document the orders backend serves.
const ordersDocument = `{"openapi": "3.0.3", "info": {"title": "Orders", "version": "1"},
 "paths": {
  "/orders/{id}": {"get": {"operationId": "getOrder", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "an order"}}}},
  "/orders": {"post": {"operationId": "placeOrder", "responses": {"201": {"description": "placed"}}}}
 }}`

// backend stands in for the Pods behind a Service: it serves its OpenAPI
// document and answers every other request with its path.
func backend(t *testing.T) (*httptest.Server, int) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/openapi.json" {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, ordersDocument)
			return
		}
		fmt.Fprintf(w, "backend saw %s %s", r.Method, r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	port, _ := strconv.Atoi(srv.URL[strings.LastIndex(srv.URL, ":")+1:])
	return srv, port
}

// service returns a Service in namespace shop with annotations.
func service(name string, port int, externalName string, annotations map[string]string) *corev1.Service {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name, Annotations: annotations},
		Spec: corev1.ServiceSpec{
			Type:  corev1.ServiceTypeClusterIP,
			Ports: []corev1.ServicePort{{Name: "http", Port: int32(port)}},
		},
	}
	if externalName != "" {
		svc.Spec.Type, svc.Spec.ExternalName = corev1.ServiceTypeExternalName, externalName
	}
	return svc
}

// documentClient fetches documents from Services as a pod would: the
// cluster DNS names of the test's Services lead to the loopback backend.
func documentClient(backendAddr string) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if strings.Contains(addr, ".svc.cluster.local:") {
			addr = backendAddr
		}
		return d.DialContext(ctx, network, addr)
	}}}
}

// runController runs a controller until the test ends.
func runController(t *testing.T, opts controller.Options) {
	t.Helper()
	opts.Logger = slog.New(slog.NewJSONHandler(testWriter{t}, nil))
	if opts.RetryBase == 0 {
		opts.RetryBase, opts.RetryMax = 50*time.Millisecond, time.Second
	}
	ctl, err := controller.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ctl.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// testWriter sends the controller's log lines to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// apiProps are the API properties the tests look at.
type apiProps struct {
	Properties struct {
		DisplayName, Description, Path, ServiceURL string
		SubscriptionRequired                       *bool
	}
}

// operations returns the ids of an API's operations, sorted as listed.
func (p plane) operations(t *testing.T, api string) ([]string, error) {
	var list struct{ Value []struct{ Name string } }
	if code := p.call(t, "GET", "/apis/"+api+"/operations", nil, &list); code != http.StatusOK {
		return nil, fmt.Errorf("list operations of %s: %d", api, code)
	}
	var ids []string
	for _, v := range list.Value {
		ids = append(ids, v.Name)
	}
	return ids, nil
}

// event returns an error unless the Service has an event with reason.
func event(kc kubernetes.Interface, name, reason string) error {
	evs, err := kc.CoreV1().Events("shop").List(context.Background(), metav1.ListOptions{})
	if err != nil {
		return err
	}
	var seen []string
	for _, e := range evs.Items {
		if e.InvolvedObject.Name == name && e.Reason == reason {
			return nil
		}
		seen = append(seen, e.InvolvedObject.Name+":"+e.Reason)
	}
	return fmt.Errorf("no %s event on %s among %v", reason, name, seen)
}

// gone returns an error unless path answers 404.
func (p plane) gone(t *testing.T, path string) error {
	if code := p.call(t, "GET", path, nil, nil); code != http.StatusNotFound {
		return fmt.Errorf("GET %s: %d, want 404", path, code)
	}
	return nil
}

// TestServicesBecomeAPIs runs the controller against a real management
// plane and a fake cluster: annotated Services become APIs with their
// operations, backend and gateway links, served by the embedded gateway;
// changes to the annotations follow; removing the annotation or the
// Service removes what the controller created, and a hand-made API is
// never touched.
func TestServicesBecomeAPIs(t *testing.T) {
	p := startPlane(t)
	be, port := backend(t)
	p.must(t, "PUT", "/gateways/edge", map[string]any{"properties": map[string]any{"description": "a self-hosted gateway"}})
	handMade := map[string]any{"properties": map[string]any{"displayName": "Legacy", "description": "made by hand", "path": "legacy", "serviceUrl": be.URL}}
	p.must(t, "PUT", "/apis/legacy", handMade)
	// What it made for a Service deleted while it was stopped goes at its
	// first sweep.
	p.must(t, "PUT", "/apis/ghost", map[string]any{"properties": map[string]any{"displayName": "Ghost",
		"description": controller.Mark("test", "shop/ghost"), "path": "ghost", "serviceUrl": be.URL}})
	// What this controller made for a namespace it does not watch (another
	// install's) is left alone.
	p.must(t, "PUT", "/apis/elsewhere", map[string]any{"properties": map[string]any{"displayName": "Elsewhere",
		"description": controller.Mark("test", "billing/invoices"), "path": "elsewhere", "serviceUrl": be.URL}})

	kc := fake.NewClientset(
		service("orders", port, "localhost", map[string]string{
			controller.AnnotationAPI: "orders", controller.AnnotationPath: "shop/orders",
			controller.AnnotationOpenAPI: "/openapi.json", controller.AnnotationGateways: "edge",
			controller.AnnotationSubscriptionRequired: "false",
		}),
		service("catalog", 80, "", map[string]string{controller.AnnotationAPI: "catalog"}),
		service("legacy", 80, "", map[string]string{controller.AnnotationAPI: "legacy"}),
		service("unrelated", 80, "", nil),
		&networkingv1.Ingress{
			ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "storefront", Annotations: map[string]string{controller.AnnotationAPI: "storefront"}},
			Spec: networkingv1.IngressSpec{
				TLS: []networkingv1.IngressTLS{{Hosts: []string{"shop.example.com"}, SecretName: "shop-tls"}},
				Rules: []networkingv1.IngressRule{{Host: "shop.example.com", IngressRuleValue: networkingv1.IngressRuleValue{
					HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{Path: "/store"}}}}}},
			},
		},
	)
	reg := prometheus.NewRegistry()
	runController(t, controller.Options{Kubernetes: kc, Endpoint: p.mgmt, Token: p.contributorToken(t), Cluster: "test",
		Namespaces: []string{"shop"}, Ingresses: true, DocumentClient: documentClient(be.Listener.Addr().String()), Registerer: reg})

	t.Run("annotated Services become APIs", func(t *testing.T) {
		eventually(t, "orders API with imported operations", func() error {
			var a apiProps
			if code := p.call(t, "GET", "/apis/orders", nil, &a); code != http.StatusOK {
				return fmt.Errorf("GET /apis/orders: %d", code)
			}
			if want := fmt.Sprintf("http://localhost:%d", port); a.Properties.ServiceURL != want || a.Properties.Path != "shop/orders" {
				return fmt.Errorf("API orders: %+v, want path shop/orders and service URL %s", a.Properties, want)
			}
			ops, err := p.operations(t, "orders")
			if err != nil || strings.Join(ops, ",") != "getOrder,placeOrder" && strings.Join(ops, ",") != "placeOrder,getOrder" {
				return fmt.Errorf("operations %v (%v), want getOrder and placeOrder", ops, err)
			}
			if code := p.call(t, "GET", "/gateways/edge/apis/orders", nil, nil); code != http.StatusOK {
				return fmt.Errorf("gateway edge does not serve orders: %d", code)
			}
			return nil
		})
		var b struct {
			Properties struct{ URL, Description string }
		}
		if code := p.call(t, "GET", "/backends/orders", nil, &b); code != http.StatusOK || b.Properties.URL != fmt.Sprintf("http://localhost:%d", port) ||
			!strings.HasPrefix(b.Properties.Description, controller.Mark("test", "shop/orders")) {
			t.Errorf("backend orders: %d %+v", code, b.Properties)
		}
		eventually(t, "a request through the embedded gateway", func() error {
			resp, err := http.Get(p.gateway + "/shop/orders/orders/42")
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || string(body) != "backend saw GET /orders/42" {
				return fmt.Errorf("%s: %s", resp.Status, body)
			}
			return nil
		})
		eventually(t, "catalog API with one wildcard operation", func() error {
			var a apiProps
			if code := p.call(t, "GET", "/apis/catalog", nil, &a); code != http.StatusOK {
				return fmt.Errorf("GET /apis/catalog: %d", code)
			}
			if a.Properties.ServiceURL != "http://catalog.shop.svc.cluster.local:80" || a.Properties.Path != "catalog" {
				return fmt.Errorf("API catalog: %+v", a.Properties)
			}
			if ops, err := p.operations(t, "catalog"); err != nil || len(ops) != 1 || ops[0] != "all" {
				return fmt.Errorf("operations %v (%v), want all", ops, err)
			}
			return nil
		})
		eventually(t, "Synced event", func() error { return event(kc, "orders", "Synced") })
	})

	t.Run("an annotated Ingress becomes an API calling its host", func(t *testing.T) {
		eventually(t, "storefront API", func() error {
			var a apiProps
			if code := p.call(t, "GET", "/apis/storefront", nil, &a); code != http.StatusOK {
				return fmt.Errorf("GET /apis/storefront: %d", code)
			}
			if a.Properties.ServiceURL != "https://shop.example.com/store" ||
				!strings.HasPrefix(a.Properties.Description, "gatehouse-controller: cluster=test ingress=shop/storefront") {
				return fmt.Errorf("API storefront: %+v", a.Properties)
			}
			return nil
		})
		if err := kc.NetworkingV1().Ingresses("shop").Delete(context.Background(), "storefront", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		eventually(t, "storefront deleted with its Ingress", func() error {
			if err := p.gone(t, "/apis/storefront"); err != nil {
				return err
			}
			return p.gone(t, "/backends/storefront")
		})
	})

	t.Run("what a Service deleted while the controller was stopped left is removed", func(t *testing.T) {
		eventually(t, "API ghost deleted", func() error { return p.gone(t, "/apis/ghost") })
	})

	t.Run("a hand-made API with the same id is left alone", func(t *testing.T) {
		eventually(t, "Conflict event", func() error { return event(kc, "legacy", "Conflict") })
		var a apiProps
		p.call(t, "GET", "/apis/legacy", nil, &a)
		if a.Properties.Description != "made by hand" || a.Properties.ServiceURL != be.URL {
			t.Errorf("the hand-made API changed: %+v", a.Properties)
		}
		if err := p.gone(t, "/backends/legacy"); err != nil {
			t.Error(err)
		}
	})

	t.Run("changed annotations are followed", func(t *testing.T) {
		svc, err := kc.CoreV1().Services("shop").Get(context.Background(), "orders", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		svc.Annotations[controller.AnnotationPath] = "shop/orders-v2"
		delete(svc.Annotations, controller.AnnotationGateways)
		delete(svc.Annotations, controller.AnnotationOpenAPI)
		if _, err := kc.CoreV1().Services("shop").Update(context.Background(), svc, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		eventually(t, "orders moved, unlinked, with a wildcard operation", func() error {
			var a apiProps
			p.call(t, "GET", "/apis/orders", nil, &a)
			if a.Properties.Path != "shop/orders-v2" {
				return fmt.Errorf("path %q", a.Properties.Path)
			}
			if code := p.call(t, "GET", "/gateways/edge/apis/orders", nil, nil); code != http.StatusNotFound {
				return fmt.Errorf("gateway edge still serves orders: %d", code)
			}
			if ops, err := p.operations(t, "orders"); err != nil || len(ops) != 1 || ops[0] != "all" {
				return fmt.Errorf("operations %v (%v), want all", ops, err)
			}
			return nil
		})

		svc, _ = kc.CoreV1().Services("shop").Get(context.Background(), "catalog", metav1.GetOptions{})
		svc.Annotations[controller.AnnotationAPI] = "catalog-v2"
		if _, err := kc.CoreV1().Services("shop").Update(context.Background(), svc, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		eventually(t, "catalog renamed to catalog-v2", func() error {
			if code := p.call(t, "GET", "/apis/catalog-v2", nil, nil); code != http.StatusOK {
				return fmt.Errorf("GET /apis/catalog-v2: %d", code)
			}
			if err := p.gone(t, "/apis/catalog"); err != nil {
				return err
			}
			return p.gone(t, "/backends/catalog")
		})
	})

	t.Run("removing the annotation or the Service removes what was created", func(t *testing.T) {
		svc, _ := kc.CoreV1().Services("shop").Get(context.Background(), "catalog", metav1.GetOptions{})
		delete(svc.Annotations, controller.AnnotationAPI)
		if _, err := kc.CoreV1().Services("shop").Update(context.Background(), svc, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := kc.CoreV1().Services("shop").Delete(context.Background(), "orders", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := kc.CoreV1().Services("shop").Delete(context.Background(), "legacy", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		eventually(t, "APIs and backends deleted", func() error {
			for _, path := range []string{"/apis/catalog-v2", "/backends/catalog-v2", "/apis/orders", "/backends/orders"} {
				if err := p.gone(t, path); err != nil {
					return err
				}
			}
			return nil
		})
		eventually(t, "Removed event", func() error { return event(kc, "catalog", "Removed") })
		var a apiProps
		if code := p.call(t, "GET", "/apis/legacy", nil, &a); code != http.StatusOK || a.Properties.Description != "made by hand" {
			t.Errorf("the hand-made API: %d %+v", code, a.Properties)
		}
		if code := p.call(t, "GET", "/apis/elsewhere", nil, nil); code != http.StatusOK {
			t.Errorf("the API of a namespace not watched: %d", code)
		}
	})

	t.Run("metrics count reconciles", func(t *testing.T) {
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]float64{}
		for _, f := range families {
			if f.GetName() != "gatehouse_controller_reconciles_total" {
				continue
			}
			for _, m := range f.GetMetric() {
				counts[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
			}
		}
		if counts["synced"] == 0 || counts["conflict"] == 0 || counts["deleted"] == 0 {
			t.Errorf("reconciles by result: %v", counts)
		}
	})
}

// TestFailingManagementAPIIsRetried puts a proxy that answers 503 in
// front of a real management plane: the controller reports the failure on
// the Service and retries with backoff until the plane answers again.
func TestFailingManagementAPIIsRetried(t *testing.T) {
	p := startPlane(t)
	target, _ := url.Parse(p.mgmt)
	var failing atomic.Bool
	var refused atomic.Int64
	failing.Store(true)
	rp := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			refused.Add(1)
			http.Error(w, `{"error": {"code": "Unavailable", "message": "down for the test"}}`, http.StatusServiceUnavailable)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)

	kc := fake.NewClientset(service("stock", 8080, "", map[string]string{controller.AnnotationAPI: "stock"}))
	runController(t, controller.Options{Kubernetes: kc, Endpoint: proxy.URL, Token: p.contributorToken(t), Cluster: "retry"})
	eventually(t, "SyncFailed event and retries", func() error {
		if n := refused.Load(); n < 3 {
			return fmt.Errorf("%d calls so far", n)
		}
		return event(kc, "stock", "SyncFailed")
	})
	failing.Store(false)
	eventually(t, "API stock created once the plane answers", func() error {
		var a apiProps
		if code := p.call(t, "GET", "/apis/stock", nil, &a); code != http.StatusOK {
			return errors.New("no API stock yet")
		}
		if a.Properties.ServiceURL != "http://stock.shop.svc.cluster.local:8080" {
			return fmt.Errorf("service URL %q", a.Properties.ServiceURL)
		}
		return nil
	})
}
