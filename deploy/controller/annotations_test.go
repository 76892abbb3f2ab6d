package controller

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestParseSpec(t *testing.T) {
	https := "https"
	base := func(a map[string]string, ports ...corev1.ServicePort) *corev1.Service {
		if len(ports) == 0 {
			ports = []corev1.ServicePort{{Name: "http", Port: 8080}}
		}
		return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "orders", Annotations: a},
			Spec: corev1.ServiceSpec{Ports: ports}}
	}
	tests := []struct {
		name    string
		svc     *corev1.Service
		want    spec
		wantErr string
	}{
		{name: "defaults", svc: base(map[string]string{AnnotationAPI: "orders"}),
			want: spec{service: "shop/orders", apiID: "orders", path: "orders", displayName: "orders",
				serviceURL: "http://orders.shop.svc.cluster.local:8080", subscriptionRequired: true}},
		{name: "everything", svc: base(map[string]string{AnnotationAPI: "orders-api", AnnotationPath: "/shop/orders/",
			AnnotationDisplayName: "Orders", AnnotationPort: "admin", AnnotationOpenAPI: "/v3/api-docs",
			AnnotationGateways: "edge, branch,edge", AnnotationSubscriptionRequired: "false"},
			corev1.ServicePort{Name: "http", Port: 80}, corev1.ServicePort{Name: "admin", Port: 9000}),
			want: spec{service: "shop/orders", apiID: "orders-api", path: "shop/orders", displayName: "Orders",
				serviceURL: "http://orders.shop.svc.cluster.local:9000", openAPI: "http://orders.shop.svc.cluster.local:9000/v3/api-docs",
				gateways: []string{"branch", "edge"}}},
		{name: "https by port", svc: base(map[string]string{AnnotationAPI: "orders"}, corev1.ServicePort{Port: 443}),
			want: spec{service: "shop/orders", apiID: "orders", path: "orders", displayName: "orders",
				serviceURL: "https://orders.shop.svc.cluster.local:443", subscriptionRequired: true}},
		{name: "https by app protocol", svc: base(map[string]string{AnnotationAPI: "orders", AnnotationPort: "8443"}, corev1.ServicePort{Port: 8443, AppProtocol: &https}),
			want: spec{service: "shop/orders", apiID: "orders", path: "orders", displayName: "orders",
				serviceURL: "https://orders.shop.svc.cluster.local:8443", subscriptionRequired: true}},
		{name: "openapi URL", svc: base(map[string]string{AnnotationAPI: "orders", AnnotationOpenAPI: "https://docs.example.com/orders.yaml"}),
			want: spec{service: "shop/orders", apiID: "orders", path: "orders", displayName: "orders",
				serviceURL: "http://orders.shop.svc.cluster.local:8080", openAPI: "https://docs.example.com/orders.yaml", subscriptionRequired: true}},
		{name: "bad id", svc: base(map[string]string{AnnotationAPI: "orders/v1"}), wantErr: AnnotationAPI},
		{name: "empty id", svc: base(map[string]string{AnnotationAPI: ""}), wantErr: AnnotationAPI},
		{name: "climbing path", svc: base(map[string]string{AnnotationAPI: "o", AnnotationPath: "a/../b"}), wantErr: AnnotationPath},
		{name: "no such port", svc: base(map[string]string{AnnotationAPI: "o", AnnotationPort: "grpc"}), wantErr: AnnotationPort},
		{name: "bad scheme", svc: base(map[string]string{AnnotationAPI: "o", AnnotationScheme: "ftp"}), wantErr: AnnotationScheme},
		{name: "bad boolean", svc: base(map[string]string{AnnotationAPI: "o", AnnotationSubscriptionRequired: "nope"}), wantErr: AnnotationSubscriptionRequired},
		{name: "bad openapi", svc: base(map[string]string{AnnotationAPI: "o", AnnotationOpenAPI: "openapi.json"}), wantErr: AnnotationOpenAPI},
		{name: "bad gateway", svc: base(map[string]string{AnnotationAPI: "o", AnnotationGateways: "edge,no way"}), wantErr: AnnotationGateways},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseSpec(tt.svc, "cluster.local")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseSpec: %v, want an error naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.service != tt.want.service || got.apiID != tt.want.apiID || got.path != tt.want.path ||
				got.displayName != tt.want.displayName || got.serviceURL != tt.want.serviceURL || got.openAPI != tt.want.openAPI ||
				!slices.Equal(got.gateways, tt.want.gateways) || got.subscriptionRequired != tt.want.subscriptionRequired {
				t.Errorf("parseSpec = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestExternalName(t *testing.T) {
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "vm", Name: "billing",
		Annotations: map[string]string{AnnotationAPI: "billing", AnnotationPort: "8443", AnnotationScheme: "https"}},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "billing-lb.corp.example."}}
	s, err := parseSpec(svc, "cluster.local")
	if err != nil {
		t.Fatal(err)
	}
	if s.serviceURL != "https://billing-lb.corp.example:8443" {
		t.Errorf("service URL %q", s.serviceURL)
	}
}

func TestMark(t *testing.T) {
	m := Mark("prod", "shop/orders")
	if !owns(m, "prod", "shop/orders") || !owns(m+" openapi=sha256:00", "prod", "shop/orders") {
		t.Errorf("%q does not mark its own resource", m)
	}
	if im := Mark("prod", "ingress:shop/orders"); !owns(im, "prod", "ingress:shop/orders") || owns(im, "prod", "shop/orders") {
		t.Errorf("%q: an Ingress's mark is not its Service's", im)
	}
	for _, desc := range []string{"", "made by hand", Mark("staging", "shop/orders"), Mark("prod", "shop/orders-v2"), "x " + m} {
		if owns(desc, "prod", "shop/orders") {
			t.Errorf("%q taken as prod's shop/orders", desc)
		}
	}
}

func TestParseIngressSpec(t *testing.T) {
	ing := func(a map[string]string, tls bool, rules ...networkingv1.IngressRule) *networkingv1.Ingress {
		in := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "front", Annotations: a},
			Spec: networkingv1.IngressSpec{Rules: rules}}
		if tls {
			in.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{"shop.example.com"}}}
		}
		return in
	}
	rule := func(host, path string) networkingv1.IngressRule {
		r := networkingv1.IngressRule{Host: host}
		if path != "" {
			r.HTTP = &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{Path: path}}}
		}
		return r
	}
	tests := []struct {
		name, wantURL, wantOpenAPI, wantErr string
		in                                  *networkingv1.Ingress
	}{
		{name: "https host and path", in: ing(map[string]string{AnnotationAPI: "front", AnnotationOpenAPI: "/openapi.json"}, true, rule("shop.example.com", "/store/")),
			wantURL: "https://shop.example.com/store", wantOpenAPI: "https://shop.example.com/store/openapi.json"},
		{name: "wildcard host skipped", in: ing(map[string]string{AnnotationAPI: "front"}, false, rule("*.example.com", "/"), rule("api.example.com", "")),
			wantURL: "http://api.example.com"},
		{name: "scheme annotation", in: ing(map[string]string{AnnotationAPI: "front", AnnotationScheme: "https"}, false, rule("api.example.com", "/")),
			wantURL: "https://api.example.com"},
		{name: "no host", in: ing(map[string]string{AnnotationAPI: "front"}, false, rule("", "/")), wantErr: "host"},
		{name: "port annotation", in: ing(map[string]string{AnnotationAPI: "front", AnnotationPort: "80"}, false, rule("a.example.com", "/")), wantErr: AnnotationPort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := parseIngressSpec(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseIngressSpec: %v, want an error naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.serviceURL != tt.wantURL || s.openAPI != tt.wantOpenAPI || s.service != "ingress:shop/front" {
				t.Errorf("parseIngressSpec = %+v, want URL %s, document %q", s, tt.wantURL, tt.wantOpenAPI)
			}
		})
	}
}
