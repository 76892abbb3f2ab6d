package apiops

import (
	"context"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gatehouse/gatehouse/internal/mgmtclient"
	"github.com/gatehouse/gatehouse/internal/model"
)

// gatewayChild is a kind of resource a gateway owns, kept in a folder of
// the gateway's folder with one information file per resource.
type gatewayChild struct {
	kind   model.Kind
	folder string // "certificateAuthorities", also the management path's segment
	file   string // "gatewayCertificateAuthorityInformation.json"
	list   func(g *Gateway) *[]Resource
}

// gatewayChildren are the resources a gateway owns.
var gatewayChildren = []gatewayChild{
	{kind: model.KindGatewayCertificateAuthority, folder: "certificateAuthorities", file: "gatewayCertificateAuthorityInformation.json",
		list: func(g *Gateway) *[]Resource { return &g.CertificateAuthorities }},
	{kind: model.KindFederatedCredential, folder: "federatedCredentials", file: "federatedCredentialInformation.json",
		list: func(g *Gateway) *[]Resource { return &g.FederatedCredentials }},
}

// readGatewayChildren reads the certificate authorities and federated
// credentials of the gateway folder rel; a missing folder leaves its list
// nil.
func (r *reader) readGatewayChildren(rel string, g *Gateway) {
	for _, ch := range gatewayChildren {
		dir := path.Join(rel, ch.folder)
		if _, err := os.Stat(filepath.Join(r.dir, dir)); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		list := []Resource{}
		r.each(dir, func(rel, dirName string) {
			file := path.Join(rel, ch.file)
			name, props, ok := r.info(ch.kind, file, dirName)
			if !ok {
				return
			}
			c, err := canonical(ch.kind, props)
			if err != nil {
				r.fail(file, "%v", err)
				return
			}
			list = append(list, Resource{Name: name, Properties: c, File: file})
			r.skipOthers(rel, ch.file)
		})
		sortResources(list)
		*ch.list(g) = list
	}
}

// fetchGatewayChildren reads a gateway's certificate authorities and
// federated credentials from the management plane.
func fetchGatewayChildren(ctx context.Context, c *mgmtclient.Client, g *Gateway) error {
	for _, ch := range gatewayChildren {
		list, err := fetchKind(ctx, c, "/gateways/"+url.PathEscape(g.Name)+"/"+ch.folder, ch.kind)
		if err != nil {
			return err
		}
		*ch.list(g) = list
	}
	return nil
}

// planGatewayChildren adds the writes of the gateways' certificate
// authorities and federated credentials, and returns the removals of
// those a described list lacks.
func (p *Plan) planGatewayChildren(desired, current []Gateway) []Step {
	var removals []Step
	for _, d := range desired {
		c := findGateway(current, d.Name)
		for _, ch := range gatewayChildren {
			want := *ch.list(&d)
			if want == nil {
				continue
			}
			have := *ch.list(&c)
			prefix := "/gateways/" + d.Name + "/" + ch.folder + "/"
			p.upsert(prefix, want, have)
			for _, h := range have {
				if _, ok := find(want, h.Name); !ok {
					removals = append(removals, Step{Action: Delete, Path: prefix + h.Name})
				}
			}
		}
	}
	return removals
}

// writeGatewayChildren writes a gateway's certificate authorities and
// federated credentials.
func (w *writer) writeGatewayChildren(g Gateway) {
	for _, ch := range gatewayChildren {
		for _, r := range *ch.list(&g) {
			w.info(filepath.Join("gateways", g.Name, ch.folder, r.Name, ch.file), r.Properties)
		}
	}
}

// hasChildren reports whether g owns certificate authorities or
// federated credentials.
func hasChildren(g Gateway) bool {
	return len(g.CertificateAuthorities)+len(g.FederatedCredentials) > 0
}

// isManaged reports whether name is the built-in managed gateway.
func isManaged(name string) bool { return strings.EqualFold(name, model.ManagedGatewayID) }
