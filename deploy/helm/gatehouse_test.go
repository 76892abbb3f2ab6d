package helm

import (
	"strconv"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

const planeChart = "gatehouse"

// planeBase is what a user must give the management plane chart: the
// administrator's token.
var planeBase = map[string]any{"adminToken": map[string]any{"value": "test-admin-token"}}

// TestPlaneChart renders the management plane chart with its defaults and
// with each example, and checks what serve needs from each.
func TestPlaneChart(t *testing.T) {
	checks := map[string]func(t *testing.T, r rendering, env map[string]envSource){
		"defaults": func(t *testing.T, r rendering, env map[string]envSource) {
			d := deploymentWith(t, r, "gatehouse")
			if *d.Spec.Replicas != 1 || d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
				t.Errorf("SQLite: replicas %d, strategy %s; want 1 and Recreate", *d.Spec.Replicas, d.Spec.Strategy.Type)
			}
			wantVolume(t, d, "data", func(v corev1.Volume) bool {
				return v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == "gatehouse-data"
			})
			if pvc := find[corev1.PersistentVolumeClaim](r, "gatehouse-data"); pvc == nil || pvc.Annotations["helm.sh/resource-policy"] != "keep" {
				t.Errorf("data claim %+v, want one kept on uninstall", pvc)
			}
			wantEnv(t, env, "GATEHOUSE_ADMIN_TOKEN", envSource{secret: "gatehouse", key: "admin-token"})
			wantSecret(t, r, "gatehouse", "admin-token", "test-admin-token")
			for _, name := range []string{"GATEHOUSE_STORE", "GATEHOUSE_MASTER_KEY", "GATEHOUSE_REDIS"} {
				if _, ok := env[name]; ok {
					t.Errorf("%s is set", name)
				}
			}
			wantEnv(t, env, "GATEHOUSE_GATEWAY_HTTP", envSource{value: ":8080"})
			wantEnv(t, env, "GATEHOUSE_GATEWAY_HTTPS", envSource{value: ""})
			wantEnv(t, env, "GATEHOUSE_METRICS_ADDR", envSource{value: ""})
			wantServicePorts(t, r, "gatehouse", "mgmt")
			wantServicePorts(t, r, "gatehouse-gateway", "gateway-http")
			if find[corev1.Service](r, "gatehouse-metrics") != nil {
				t.Error("a metrics Service without the metrics listener")
			}
		},
		"sqlite": func(t *testing.T, r rendering, env map[string]envSource) {
			wantEnv(t, env, "GATEHOUSE_ADMIN_TOKEN", envSource{secret: "gatehouse-admin", key: "admin-token"})
			in := one[networkingv1.Ingress](t, r)
			if len(in.Spec.Rules) != 2 || in.Spec.Rules[1].HTTP.Paths[0].Backend.Service.Name != "gatehouse-gateway" {
				t.Errorf("ingress rules %+v, want the API host to the embedded gateway", in.Spec.Rules)
			}
			if len(all[corev1.Secret](r)) != 0 {
				t.Error("a Secret beside the existing one")
			}
		},
		"postgres-ha": func(t *testing.T, r rendering, env map[string]envSource) {
			d := deploymentWith(t, r, "gatehouse")
			if *d.Spec.Replicas != 3 || d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType {
				t.Errorf("replicas %d, strategy %s; want 3, RollingUpdate", *d.Spec.Replicas, d.Spec.Strategy.Type)
			}
			wantVolume(t, d, "data", func(v corev1.Volume) bool { return v.EmptyDir != nil })
			if len(all[corev1.PersistentVolumeClaim](r)) != 0 {
				t.Error("a data claim with PostgreSQL")
			}
			wantEnv(t, env, "GATEHOUSE_STORE", envSource{secret: "gatehouse-store", key: "url"})
			wantEnv(t, env, "GATEHOUSE_REDIS", envSource{secret: "gatehouse-redis", key: "url"})
			wantEnv(t, env, "GATEHOUSE_MASTER_KEY", envSource{secret: "gatehouse-keys", key: "master-key"})
			wantEnv(t, env, "GATEHOUSE_ADMIN_TOKEN", envSource{secret: "gatehouse-keys", key: "admin-token"})
			wantEnv(t, env, "GATEHOUSE_METRICS_ADDR", envSource{value: ":4290"})
			wantEnv(t, env, "GATEHOUSE_HEARTBEAT_INTERVAL", envSource{value: "15s"})
			wantEnv(t, env, "OTEL_EXPORTER_OTLP_ENDPOINT", envSource{value: "http://otel-collector.observability:4317"})
			wantEnv(t, env, "OTEL_EXPORTER_OTLP_PROTOCOL", envSource{value: "grpc"})
			one[policyv1.PodDisruptionBudget](t, r)
			one[monitoringv1.ServiceMonitor](t, r)
			if s := find[corev1.Service](r, "gatehouse-gateway"); s == nil || s.Spec.Type != corev1.ServiceTypeLoadBalancer {
				t.Errorf("gateway Service %+v, want a LoadBalancer", s)
			}
			hr := one[gatewayv1.HTTPRoute](t, r)
			if len(hr.Spec.Rules) != 2 || string(hr.Spec.ParentRefs[0].Name) != "shared" {
				t.Errorf("HTTPRoute %+v", hr.Spec)
			}
		},
		"controller": func(t *testing.T, r rendering, env map[string]envSource) {
			d := deploymentWith(t, r, "controller")
			if d.Name != "gatehouse-controller" || *d.Spec.Replicas != 1 || d.Spec.Template.Spec.ServiceAccountName != "gatehouse-controller" {
				t.Errorf("controller Deployment %s: replicas %d, service account %s", d.Name, *d.Spec.Replicas, d.Spec.Template.Spec.ServiceAccountName)
			}
			cenv := containerEnv(t, r, d, "controller")
			wantEnv(t, cenv, "GATEHOUSE_ENDPOINT", envSource{value: "http://gatehouse.gatehouse.svc:8090"})
			wantEnv(t, cenv, "GATEHOUSE_TOKEN", envSource{secret: "gatehouse-controller-token", key: "token"})
			wantEnv(t, cenv, "GATEHOUSE_NAMESPACES", envSource{value: "shop,billing"})
			wantEnv(t, cenv, "GATEHOUSE_CLUSTER_NAME", envSource{value: "aks-prod"})
			if n := len(all[rbacv1.ClusterRole](r)); n != 0 {
				t.Errorf("%d ClusterRoles with namespaces listed", n)
			}
			roles := all[rbacv1.Role](r)
			if len(roles) != 2 || len(all[rbacv1.RoleBinding](r)) != 2 {
				t.Fatalf("%d Roles, want one in each of shop and billing", len(roles))
			}
			for _, ro := range roles {
				var verbs []string
				for _, rule := range ro.Rules {
					verbs = append(verbs, strings.Join(rule.Resources, ",")+":"+strings.Join(rule.Verbs, ","))
				}
				if got := strings.Join(verbs, " "); got != "services:get,list,watch events:create,patch ingresses:get,list,watch" {
					t.Errorf("Role %s/%s grants %s", ro.Namespace, ro.Name, got)
				}
			}
			if sel := d.Spec.Selector.MatchLabels; sel["app.kubernetes.io/name"] != "gatehouse-controller" {
				t.Errorf("controller pods selected by %v, which serve's Services would share", sel)
			}
		},
		"plane-only": func(t *testing.T, r rendering, env map[string]envSource) {
			d := deploymentWith(t, r, "gatehouse")
			wantEnv(t, env, "GATEHOUSE_GATEWAY_HTTP", envSource{value: ""})
			wantEnv(t, env, "GATEHOUSE_MGMT_TLS_CERT", envSource{value: "/etc/gatehouse/tls/mgmt/tls.crt"})
			wantEnv(t, env, "GATEHOUSE_MGMT_TLS_KEY", envSource{value: "/etc/gatehouse/tls/mgmt/tls.key"})
			wantMount(t, d, "tls-mgmt", "/etc/gatehouse/tls/mgmt")
			wantEnv(t, env, "GATEHOUSE_MASTER_KEY", envSource{secret: "gatehouse", key: "master-key"})
			if find[corev1.Service](r, "gatehouse-gateway") != nil || containerPort(d, "gateway-http") != nil {
				t.Error("the embedded gateway is off, but its port or Service is rendered")
			}
		},
	}
	for _, c := range cases(t, planeChart, planeBase) {
		t.Run(c.name(), func(t *testing.T) {
			t.Parallel()
			r := renderCase(t, c)
			d := deploymentWith(t, r, "gatehouse")
			env := containerEnv(t, r, d, "gatehouse")
			checkPlanePod(t, d, env)
			check := checks[strings.TrimPrefix(c.name(), planeChart+"/")]
			if check == nil {
				t.Fatalf("no checks for %s", c.name())
			}
			check(t, r, env)
		})
	}
}

// checkPlanePod checks what every serve pod needs: the serve command, its
// data directory on a volume, /tmp, probes on the management port, and one
// container port for each listener that is on.
func checkPlanePod(t *testing.T, d *appsv1.Deployment, env map[string]envSource) {
	t.Helper()
	c := d.Spec.Template.Spec.Containers[0]
	if len(c.Args) != 1 || c.Args[0] != "serve" || len(c.Command) != 0 {
		t.Errorf("command %q args %q, want the image's entrypoint with serve", c.Command, c.Args)
	}
	wantEnv(t, env, "GATEHOUSE_DATA", envSource{value: "/var/lib/gatehouse"})
	wantEnv(t, env, "GATEHOUSE_MGMT", envSource{value: ":8090"})
	wantMount(t, d, "data", "/var/lib/gatehouse")
	wantMount(t, d, "tmp", "/tmp")
	if p := c.StartupProbe; p == nil || p.TCPSocket == nil || p.TCPSocket.Port.StrVal != "mgmt" || p.FailureThreshold*p.PeriodSeconds < 120 {
		t.Errorf("startup probe %+v, want the management port with time for migrations", p)
	}
	for _, p := range c.Ports {
		if v := env[envForPort(p.Name)].value; v != ":"+itoa(p.ContainerPort) {
			t.Errorf("container port %s %d, but its listener's address is %q", p.Name, p.ContainerPort, v)
		}
	}
}

// envForPort returns the address variable of the listener whose port is
// called name, in the chart's default listeners.
func envForPort(name string) string {
	flags := map[string]string{"mgmt": "mgmt", "gateway-http": "gateway-http", "gateway-https": "gateway-https", "metrics": "metrics-addr"}
	return "GATEHOUSE_" + strings.ToUpper(strings.ReplaceAll(flags[name], "-", "_"))
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }

// wantServicePorts checks that Service name has exactly the given ports.
func wantServicePorts(t *testing.T, r rendering, name string, ports ...string) {
	t.Helper()
	s := find[corev1.Service](r, name)
	if s == nil {
		t.Errorf("no Service %s", name)
		return
	}
	var got []string
	for _, p := range s.Spec.Ports {
		got = append(got, p.Name)
	}
	if strings.Join(got, ",") != strings.Join(ports, ",") {
		t.Errorf("Service %s ports %v, want %v", name, got, ports)
	}
}

// TestPlaneChartRefusals: values that cannot make a working management
// plane are refused when rendering, with a message that says what to give.
func TestPlaneChartRefusals(t *testing.T) {
	pg := map[string]any{"url": "postgres://gatehouse@db:5432/gatehouse"}
	tok := map[string]any{"value": "t"}
	tests := []struct {
		name string
		vals map[string]any
		want string
	}{
		{"no admin token", map[string]any{}, "adminToken is required"},
		{"replicas on SQLite", map[string]any{"adminToken": tok, "replicaCount": 2}, "needs PostgreSQL"},
		{"PostgreSQL without a master key", map[string]any{"adminToken": tok, "postgres": pg}, "masterKey is required"},
		{"HTTPS gateway without a certificate", map[string]any{"adminToken": tok,
			"listeners": map[string]any{"gateway-https": map[string]any{"enabled": true}}}, "tls.secretName"},
		{"route to an unknown listener", map[string]any{"adminToken": tok, "ingress": map[string]any{"enabled": true,
			"hosts": []any{map[string]any{"host": "x", "paths": []any{map[string]any{"path": "/", "listener": "portal"}}}}}}, `listener "portal"`},
		{"route to the gateway when it is off", map[string]any{"adminToken": tok, "gateway": map[string]any{"enabled": false},
			"httpRoute": map[string]any{"enabled": true, "rules": []any{map[string]any{"path": "/", "listener": "gateway-http"}}}}, "off"},
		{"bad master key", map[string]any{"adminToken": tok, "masterKey": map[string]any{"value": "short"}}, "/masterKey/value"},
		{"misspelt value", map[string]any{"adminToken": tok, "persistance": map[string]any{}}, "persistance"},
		{"controller without the management listener", map[string]any{"adminToken": tok, "controller": map[string]any{"enabled": true},
			"listeners": map[string]any{"mgmt": map[string]any{"enabled": false}}}, "controller.endpoint"},
		{"controller watching a bad namespace", map[string]any{"adminToken": tok, "controller": map[string]any{"enabled": true,
			"namespaces": []any{"Shop"}}}, "/controller/namespaces/0"},
	}
	ch := load(t, planeChart)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := render(ch, tt.vals)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("render: %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

// TestPlaneChartControllerEverywhere: the controller without namespaces
// watches every namespace through a ClusterRole, with the administrator's
// token of the chart's Secret.
func TestPlaneChartControllerEverywhere(t *testing.T) {
	vals := map[string]any{"adminToken": map[string]any{"value": "test-admin-token"}, "controller": map[string]any{"enabled": true}}
	r, err := render(load(t, planeChart), vals)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.decode(); err != nil {
		t.Fatal(err)
	}
	checkReferences(t, r, externalNames(vals))
	if len(all[rbacv1.ClusterRole](r)) != 1 || len(all[rbacv1.ClusterRoleBinding](r)) != 1 || len(all[rbacv1.Role](r)) != 0 {
		t.Errorf("want one ClusterRole and its binding, no Role")
	}
	env := containerEnv(t, r, deploymentWith(t, r, "controller"), "controller")
	wantEnv(t, env, "GATEHOUSE_TOKEN", envSource{secret: "gatehouse", key: "admin-token"})
	wantEnv(t, env, "GATEHOUSE_NAMESPACES", envSource{value: ""})
}
