package controller

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The annotations the controller reads on a Service. Only AnnotationAPI
// is required; its presence is what makes the controller publish the
// Service.
const (
	// AnnotationAPI is the id of the API to create, such as "orders".
	AnnotationAPI = "gatehouse.io/api"
	// AnnotationPath is the API's URL suffix on the gateways. Default: the
	// API id.
	AnnotationPath = "gatehouse.io/path"
	// AnnotationDisplayName is the API's display name. Default: the
	// Service's name.
	AnnotationDisplayName = "gatehouse.io/display-name"
	// AnnotationPort is the Service port (name or number) the gateways
	// call. Default: the Service's first port.
	AnnotationPort = "gatehouse.io/port"
	// AnnotationScheme is "http" or "https". Default: https when the port
	// is 443 or is named or has the application protocol https, else http.
	AnnotationScheme = "gatehouse.io/scheme"
	// AnnotationOpenAPI names the OpenAPI (or Swagger) document whose
	// operations the API gets: a path served by the Service
	// ("/openapi.json") or an absolute http(s) URL. Without it the API
	// has one operation, "all", for every method and path.
	AnnotationOpenAPI = "gatehouse.io/openapi"
	// AnnotationGateways lists, comma-separated, the self-hosted gateways
	// that serve the API (the embedded gateway "managed" serves every API).
	AnnotationGateways = "gatehouse.io/gateways"
	// AnnotationSubscriptionRequired is "true" (the default) or "false".
	AnnotationSubscriptionRequired = "gatehouse.io/subscription-required"
)

// validID is the management API's rule for resource ids.
var validID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,80}$`)

// validPath is an API path: id-like segments joined by "/".
var validPath = regexp.MustCompile(`^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$`)

// A spec is what one annotated Service or Ingress asks the management
// plane for.
type spec struct {
	service              string // namespace/name, or ingress:namespace/name
	apiID                string
	path                 string
	displayName          string
	serviceURL           string // scheme://host:port of the Service
	openAPI              string // the document's URL, or ""
	gateways             []string
	subscriptionRequired bool
}

// annotated reports whether a Service or Ingress asks to be published.
func annotated(obj metav1.Object) bool {
	_, ok := obj.GetAnnotations()[AnnotationAPI]
	return ok
}

// ingressPrefix starts the work queue keys and owner names of Ingresses.
const ingressPrefix = "ingress:"

// parseSpec reads svc's annotations. clusterDomain is the cluster's DNS
// domain, such as "cluster.local". The error names the annotation at
// fault.
func parseSpec(svc *corev1.Service, clusterDomain string) (spec, error) {
	s, err := parseCommon(svc.Namespace+"/"+svc.Name, svc.Name, svc.Annotations)
	if err != nil {
		return spec{}, err
	}
	if s.serviceURL, err = serviceURL(svc, clusterDomain); err != nil {
		return spec{}, err
	}
	if o := strings.TrimSpace(svc.Annotations[AnnotationOpenAPI]); o != "" {
		if s.openAPI, err = openAPIURL(s.serviceURL, o); err != nil {
			return spec{}, err
		}
	}
	return s, nil
}

// parseIngressSpec reads the annotations of an Ingress: the API's service
// URL is the host and path of its first rule, over HTTPS when its TLS
// section lists the host (or as gatehouse.io/scheme says).
func parseIngressSpec(ing *networkingv1.Ingress) (spec, error) {
	s, err := parseCommon(ingressPrefix+ing.Namespace+"/"+ing.Name, ing.Name, ing.Annotations)
	if err != nil {
		return spec{}, err
	}
	if _, ok := ing.Annotations[AnnotationPort]; ok {
		return spec{}, fmt.Errorf("%s: an Ingress is called on its own ports; leave it out", AnnotationPort)
	}
	var host, path string
	for _, r := range ing.Spec.Rules {
		if r.Host == "" || strings.HasPrefix(r.Host, "*") {
			continue
		}
		host = r.Host
		if r.HTTP != nil && len(r.HTTP.Paths) > 0 {
			path = strings.TrimRight(strings.TrimSuffix(r.HTTP.Paths[0].Path, "*"), "/")
		}
		break
	}
	if host == "" {
		return spec{}, fmt.Errorf("the Ingress has no rule with a host name to call")
	}
	scheme := "http"
	for _, t := range ing.Spec.TLS {
		if slices.Contains(t.Hosts, host) {
			scheme = "https"
		}
	}
	if v, ok := ing.Annotations[AnnotationScheme]; ok {
		if scheme = strings.TrimSpace(v); scheme != "http" && scheme != "https" {
			return spec{}, fmt.Errorf("%s %q: want http or https", AnnotationScheme, v)
		}
	}
	s.serviceURL = scheme + "://" + host + path
	if o := strings.TrimSpace(ing.Annotations[AnnotationOpenAPI]); o != "" {
		if s.openAPI, err = openAPIURL(s.serviceURL, o); err != nil {
			return spec{}, err
		}
	}
	return s, nil
}

// parseCommon reads the annotations that Services and Ingresses share.
func parseCommon(source, name string, a map[string]string) (spec, error) {
	s := spec{
		service:              source,
		apiID:                strings.TrimSpace(a[AnnotationAPI]),
		displayName:          name,
		subscriptionRequired: true,
	}
	if !validID.MatchString(s.apiID) {
		return spec{}, fmt.Errorf("%s %q: want 1 to 80 letters, digits, '-', '_' or '.'", AnnotationAPI, s.apiID)
	}
	s.path = s.apiID
	if p, ok := a[AnnotationPath]; ok {
		s.path = strings.Trim(strings.TrimSpace(p), "/")
		if !validPath.MatchString(s.path) || slices.Contains(strings.Split(s.path, "/"), "..") || slices.Contains(strings.Split(s.path, "/"), ".") {
			return spec{}, fmt.Errorf("%s %q: want a URL suffix such as orders or shop/orders", AnnotationPath, p)
		}
	}
	if d := strings.TrimSpace(a[AnnotationDisplayName]); d != "" {
		s.displayName = d
	}
	if v, ok := a[AnnotationSubscriptionRequired]; ok {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return spec{}, fmt.Errorf("%s %q: want true or false", AnnotationSubscriptionRequired, v)
		}
		s.subscriptionRequired = b
	}
	for _, g := range strings.Split(a[AnnotationGateways], ",") {
		g = strings.TrimSpace(g)
		if g == "" || slices.Contains(s.gateways, g) {
			continue
		}
		if !validID.MatchString(g) {
			return spec{}, fmt.Errorf("%s: gateway id %q: want 1 to 80 letters, digits, '-', '_' or '.'", AnnotationGateways, g)
		}
		s.gateways = append(s.gateways, g)
	}
	slices.Sort(s.gateways)
	return s, nil
}

// serviceURL is the address the gateways call: the Service's cluster DNS
// name, or the external name of an ExternalName Service, with the chosen
// port.
func serviceURL(svc *corev1.Service, clusterDomain string) (string, error) {
	port, err := servicePort(svc)
	if err != nil {
		return "", err
	}
	scheme := "http"
	if port.Port == 443 || port.Name == "https" || (port.AppProtocol != nil && *port.AppProtocol == "https") {
		scheme = "https"
	}
	if v, ok := svc.Annotations[AnnotationScheme]; ok {
		scheme = strings.TrimSpace(v)
		if scheme != "http" && scheme != "https" {
			return "", fmt.Errorf("%s %q: want http or https", AnnotationScheme, v)
		}
	}
	host := svc.Name + "." + svc.Namespace + ".svc." + strings.TrimSuffix(clusterDomain, ".")
	if svc.Spec.Type == corev1.ServiceTypeExternalName {
		host = strings.TrimSuffix(svc.Spec.ExternalName, ".")
		if host == "" {
			return "", fmt.Errorf("the ExternalName Service has no spec.externalName")
		}
	}
	return scheme + "://" + host + ":" + strconv.Itoa(int(port.Port)), nil
}

// servicePort returns the port AnnotationPort names, or the first one.
func servicePort(svc *corev1.Service) (corev1.ServicePort, error) {
	want, named := svc.Annotations[AnnotationPort]
	want = strings.TrimSpace(want)
	if !named {
		if len(svc.Spec.Ports) == 0 {
			return corev1.ServicePort{}, fmt.Errorf("the Service has no port")
		}
		return svc.Spec.Ports[0], nil
	}
	for _, p := range svc.Spec.Ports {
		if p.Name == want || strconv.Itoa(int(p.Port)) == want {
			return p, nil
		}
	}
	if n, err := strconv.Atoi(want); err == nil && n > 0 && n < 65536 && svc.Spec.Type == corev1.ServiceTypeExternalName {
		// An ExternalName Service need not list its ports.
		return corev1.ServicePort{Port: int32(n)}, nil
	}
	return corev1.ServicePort{}, fmt.Errorf("%s %q: the Service has no such port", AnnotationPort, want)
}

// openAPIURL resolves the AnnotationOpenAPI value o against the
// Service's URL.
func openAPIURL(base, o string) (string, error) {
	if strings.HasPrefix(o, "/") {
		return base + o, nil
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%s %q: want a path served by the Service, such as /openapi.json, or an http(s) URL", AnnotationOpenAPI, o)
	}
	return o, nil
}

// Validate checks the annotations of svc as the controller reads them
// with the default cluster domain: nil when svc is not annotated
// gatehouse.io/api or when the controller can publish it, otherwise an
// error naming the annotation at fault. Tools and tests use it to check
// manifests before they reach a cluster.
func Validate(svc *corev1.Service) error {
	if !annotated(svc) {
		return nil
	}
	_, err := parseSpec(svc, "cluster.local")
	return err
}

// ValidateIngress checks the annotations of an Ingress as Validate does
// those of a Service.
func ValidateIngress(ing *networkingv1.Ingress) error {
	if !annotated(ing) {
		return nil
	}
	_, err := parseIngressSpec(ing)
	return err
}
