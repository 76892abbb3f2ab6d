package controller

import (
	"strings"
)

// markPrefix starts the description of every API and backend the
// controller creates.
const markPrefix = "gatehouse-controller:"

// Mark returns the owner mark of the resources the controller creates for
// a Service: the description "gatehouse-controller: cluster=CLUSTER
// service=NAMESPACE/NAME" ("ingress=NAMESPACE/NAME" for an Ingress, whose
// service is given as "ingress:NAMESPACE/NAME"), to which an API adds "openapi=sha256:..." (the
// digest of the document it imported). A resource is the controller's
// only when its description starts with the mark of the same cluster and
// Service; the controller deletes and changes nothing else.
func Mark(cluster, service string) string {
	if ing, ok := strings.CutPrefix(service, ingressPrefix); ok {
		return markPrefix + " cluster=" + cluster + " ingress=" + ing
	}
	return markPrefix + " cluster=" + cluster + " service=" + service
}

// An owner is what a mark says.
type owner struct {
	cluster, service string
	openAPI          string // "sha256:..." or ""
}

// parseMark reads the mark at the start of a description.
func parseMark(desc string) (owner, bool) {
	line, _, _ := strings.Cut(desc, "\n")
	fields := strings.Fields(line)
	if len(fields) < 3 || fields[0] != markPrefix {
		return owner{}, false
	}
	var o owner
	for _, f := range fields[1:] {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "cluster":
			o.cluster = v
		case "service":
			o.service = v
		case "ingress":
			o.service = ingressPrefix + v
		case "openapi":
			o.openAPI = v
		}
	}
	return o, o.cluster != "" && o.service != ""
}

// owns reports whether desc marks a resource of this cluster's Service
// service.
func owns(desc, cluster, service string) bool {
	o, ok := parseMark(desc)
	return ok && o.cluster == cluster && o.service == service
}
