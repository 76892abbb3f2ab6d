package helm

import (
	"fmt"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// checkReferences follows every reference between the rendered objects:
// what a pod mounts, reads or runs as, what Services, budgets,
// autoscalers, monitors and routes select or name. A reference must land
// on a rendered object or on one the values name as existing (external).
// It also checks what every object of the charts must have: the standard
// labels, and pods that run as a non-root user on a read-only root file
// system without privilege escalation.
func checkReferences(t *testing.T, r rendering, external map[string]bool) {
	t.Helper()
	seen := map[string]bool{}
	for _, o := range r.objects {
		id := o.kind + " " + o.obj.GetNamespace() + "/" + o.obj.GetName()
		if seen[id] {
			t.Errorf("%s is rendered twice", id)
		}
		seen[id] = true
		for _, l := range []string{"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/managed-by", "helm.sh/chart"} {
			if o.obj.GetLabels()[l] == "" {
				t.Errorf("%s has no label %s", id, l)
			}
		}
	}
	for _, d := range all[appsv1.Deployment](r) {
		checkPods(t, r, d, external)
	}
	for _, s := range all[corev1.Service](r) {
		d := selected(t, r, "Service "+s.Name, labels.SelectorFromSet(s.Spec.Selector))
		for _, p := range s.Spec.Ports {
			if p.TargetPort.Type == intstr.String && containerPort(d, p.TargetPort.StrVal) == nil {
				t.Errorf("Service %s: target port %s is no port of Deployment %s", s.Name, p.TargetPort.StrVal, d.Name)
			}
		}
	}
	for _, b := range all[policyv1.PodDisruptionBudget](r) {
		selected(t, r, "PodDisruptionBudget "+b.Name, labels.SelectorFromSet(b.Spec.Selector.MatchLabels))
	}
	for _, h := range all[autoscalingv2.HorizontalPodAutoscaler](r) {
		d := find[appsv1.Deployment](r, h.Spec.ScaleTargetRef.Name)
		if h.Spec.ScaleTargetRef.Kind != "Deployment" || d == nil {
			t.Errorf("HorizontalPodAutoscaler %s scales %s %s, which is not rendered", h.Name, h.Spec.ScaleTargetRef.Kind, h.Spec.ScaleTargetRef.Name)
		} else if d.Spec.Replicas != nil {
			t.Errorf("Deployment %s sets replicas, which its autoscaler %s would fight", d.Name, h.Name)
		}
	}
	for _, m := range all[monitoringv1.ServiceMonitor](r) {
		checkServiceMonitor(t, r, m)
	}
	for _, in := range all[networkingv1.Ingress](r) {
		for _, rule := range in.Spec.Rules {
			for _, p := range rule.HTTP.Paths {
				checkServicePort(t, r, "Ingress "+in.Name, p.Backend.Service.Name, p.Backend.Service.Port.Name, p.Backend.Service.Port.Number)
			}
		}
		for _, tls := range in.Spec.TLS {
			if !external[tls.SecretName] {
				t.Errorf("Ingress %s: TLS secret %s is not named in the values", in.Name, tls.SecretName)
			}
		}
	}
	for _, b := range all[rbacv1.ClusterRoleBinding](r) {
		checkBinding(t, r, "ClusterRoleBinding "+b.Name, b.RoleRef, b.Subjects, "")
	}
	for _, b := range all[rbacv1.RoleBinding](r) {
		checkBinding(t, r, "RoleBinding "+b.Namespace+"/"+b.Name, b.RoleRef, b.Subjects, b.Namespace)
	}
	for _, hr := range all[gatewayv1.HTTPRoute](r) {
		for _, rule := range hr.Spec.Rules {
			for _, b := range rule.BackendRefs {
				var port int32
				if b.Port != nil {
					port = int32(*b.Port)
				}
				checkServicePort(t, r, "HTTPRoute "+hr.Name, string(b.Name), "", port)
			}
		}
	}
}

// checkPods checks the pod template of d.
func checkPods(t *testing.T, r rendering, d *appsv1.Deployment, external map[string]bool) {
	t.Helper()
	id := "Deployment " + d.Name
	spec := d.Spec.Template.Spec
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
		t.Errorf("%s: selector %v does not select its pods %v (%v)", id, d.Spec.Selector, d.Spec.Template.Labels, err)
	}
	if sa := spec.ServiceAccountName; sa != "" && sa != "default" && find[corev1.ServiceAccount](r, sa) == nil && !external[sa] {
		t.Errorf("%s: service account %s is not rendered", id, sa)
	}
	psc := spec.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Errorf("%s: pods may run as root: %+v", id, psc)
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = v
		checkVolume(t, r, id, v, external)
	}
	for _, c := range spec.Containers {
		cid := fmt.Sprintf("%s container %s", id, c.Name)
		sc := c.SecurityContext
		if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
			sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
			sc.Capabilities == nil || len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" {
			t.Errorf("%s: security context %+v, want a read-only root, no privilege escalation, all capabilities dropped", cid, sc)
		}
		if c.Image == "" {
			t.Errorf("%s has no image", cid)
		}
		for _, m := range c.VolumeMounts {
			if _, ok := volumes[m.Name]; !ok {
				t.Errorf("%s mounts volume %s, which the pod does not have", cid, m.Name)
			}
		}
		for _, ef := range c.EnvFrom {
			if ef.ConfigMapRef != nil && find[corev1.ConfigMap](r, ef.ConfigMapRef.Name) == nil {
				t.Errorf("%s reads ConfigMap %s, which is not rendered", cid, ef.ConfigMapRef.Name)
			}
			if ef.SecretRef != nil {
				checkSecretKey(t, r, cid, ef.SecretRef.Name, "", external)
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				checkSecretKey(t, r, cid+" env "+e.Name, e.ValueFrom.SecretKeyRef.Name, e.ValueFrom.SecretKeyRef.Key, external)
			}
		}
		for what, p := range map[string]*corev1.Probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe, "startup": c.StartupProbe} {
			if p == nil {
				if what != "startup" {
					t.Errorf("%s has no %s probe", cid, what)
				}
				continue
			}
			var port intstr.IntOrString
			switch {
			case p.HTTPGet != nil:
				port = p.HTTPGet.Port
			case p.TCPSocket != nil:
				port = p.TCPSocket.Port
			}
			if port.Type == intstr.String && !hasPort(c, port.StrVal) {
				t.Errorf("%s: %s probe on port %s, which the container does not have", cid, what, port.StrVal)
			}
		}
	}
}

// checkVolume checks that what volume v holds is rendered or external.
func checkVolume(t *testing.T, r rendering, id string, v corev1.Volume, external map[string]bool) {
	t.Helper()
	switch {
	case v.Secret != nil:
		for _, it := range v.Secret.Items {
			checkSecretKey(t, r, id+" volume "+v.Name, v.Secret.SecretName, it.Key, external)
		}
		if len(v.Secret.Items) == 0 {
			checkSecretKey(t, r, id+" volume "+v.Name, v.Secret.SecretName, "", external)
		}
	case v.ConfigMap != nil:
		if find[corev1.ConfigMap](r, v.ConfigMap.Name) == nil && !external[v.ConfigMap.Name] {
			t.Errorf("%s: volume %s holds ConfigMap %s, which is not rendered", id, v.Name, v.ConfigMap.Name)
		}
	case v.PersistentVolumeClaim != nil:
		if find[corev1.PersistentVolumeClaim](r, v.PersistentVolumeClaim.ClaimName) == nil && !external[v.PersistentVolumeClaim.ClaimName] {
			t.Errorf("%s: volume %s claims %s, which is not rendered", id, v.Name, v.PersistentVolumeClaim.ClaimName)
		}
	}
}

// checkSecretKey checks that Secret name, with key if key is not empty, is
// rendered, or is named in the values as existing.
func checkSecretKey(t *testing.T, r rendering, id, name, key string, external map[string]bool) {
	t.Helper()
	if external[name] {
		return
	}
	s := find[corev1.Secret](r, name)
	if s == nil {
		t.Errorf("%s reads Secret %s, which is neither rendered nor named in the values", id, name)
		return
	}
	if _, ok := s.Data[key]; key != "" && !ok {
		if _, ok := s.StringData[key]; !ok {
			t.Errorf("%s reads key %s of Secret %s, which does not have it", id, key, name)
		}
	}
}

// selected returns the one Deployment whose pods sel selects.
func selected(t *testing.T, r rendering, id string, sel labels.Selector) *appsv1.Deployment {
	t.Helper()
	var found []*appsv1.Deployment
	for _, d := range all[appsv1.Deployment](r) {
		if !sel.Empty() && sel.Matches(labels.Set(d.Spec.Template.Labels)) {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s selects the pods of %d Deployments, want 1", id, len(found))
	}
	return found[0]
}

// checkServiceMonitor checks that m selects a Service with its ports.
func checkServiceMonitor(t *testing.T, r rendering, m *monitoringv1.ServiceMonitor) {
	t.Helper()
	sel := labels.SelectorFromSet(m.Spec.Selector.MatchLabels)
	var svcs []*corev1.Service
	for _, s := range all[corev1.Service](r) {
		if sel.Matches(labels.Set(s.Labels)) {
			svcs = append(svcs, s)
		}
	}
	if len(svcs) != 1 {
		t.Fatalf("ServiceMonitor %s selects %d Services, want 1", m.Name, len(svcs))
	}
	for _, e := range m.Spec.Endpoints {
		if servicePort(svcs[0], e.Port, 0) == nil {
			t.Errorf("ServiceMonitor %s scrapes port %s, which Service %s does not have", m.Name, e.Port, svcs[0].Name)
		}
	}
}

// checkServicePort checks that Service name has the port named portName
// or numbered port.
func checkServicePort(t *testing.T, r rendering, id, name, portName string, port int32) {
	t.Helper()
	s := find[corev1.Service](r, name)
	if s == nil {
		t.Errorf("%s routes to Service %s, which is not rendered", id, name)
		return
	}
	if servicePort(s, portName, port) == nil {
		t.Errorf("%s routes to port %q %d of Service %s, which it does not have", id, portName, port, name)
	}
}

func servicePort(s *corev1.Service, name string, number int32) *corev1.ServicePort {
	for i, p := range s.Spec.Ports {
		if name != "" && p.Name == name || name == "" && p.Port == number {
			return &s.Spec.Ports[i]
		}
	}
	return nil
}

// containerPort returns the container port of d named name.
func containerPort(d *appsv1.Deployment, name string) *corev1.ContainerPort {
	for _, c := range d.Spec.Template.Spec.Containers {
		for i, p := range c.Ports {
			if p.Name == name {
				return &c.Ports[i]
			}
		}
	}
	return nil
}

func hasPort(c corev1.Container, name string) bool {
	for _, p := range c.Ports {
		if p.Name == name {
			return true
		}
	}
	return false
}

// checkBinding checks that a binding grants a rendered role, in its own
// namespace for a RoleBinding (ns not empty), to rendered service
// accounts of the release's namespace.
func checkBinding(t *testing.T, r rendering, id string, ref rbacv1.RoleRef, subjects []rbacv1.Subject, ns string) {
	t.Helper()
	switch ref.Kind {
	case "ClusterRole":
		if find[rbacv1.ClusterRole](r, ref.Name) == nil {
			t.Errorf("%s grants ClusterRole %s, which is not rendered", id, ref.Name)
		}
	case "Role":
		role := find[rbacv1.Role](r, ref.Name)
		if role == nil || ns == "" {
			t.Errorf("%s grants Role %s, which is not rendered", id, ref.Name)
		}
		found := false
		for _, ro := range all[rbacv1.Role](r) {
			found = found || ro.Name == ref.Name && ro.Namespace == ns
		}
		if !found {
			t.Errorf("%s grants Role %s, which is not rendered in namespace %s", id, ref.Name, ns)
		}
	default:
		t.Errorf("%s grants a %s", id, ref.Kind)
	}
	for _, s := range subjects {
		if s.Kind != "ServiceAccount" || find[corev1.ServiceAccount](r, s.Name) == nil || s.Namespace != releases[planeChart].Namespace {
			t.Errorf("%s: subject %+v is not a rendered service account of the release", id, s)
		}
	}
}
