package control

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
)

// nowFunc is the clock rules read.
type nowFunc func() time.Time

// checkEnv is what checks may use besides the transaction.
type checkEnv struct {
	now      nowFunc
	policies *policy.Registry // the policy elements documents compile with
	// limits checks stored properties against the documented limits.
	limits func(kind model.Kind, props []byte) error
}

// RemoveOptions are the choices a caller makes when deleting.
type RemoveOptions struct {
	// DeleteSubscriptions deletes a product's or user's subscriptions
	// with it; without it such a delete is refused while any exist.
	DeleteSubscriptions bool
}

// rule is what is particular to one kind of resource: checks and
// cascades that run inside the write transaction.
type rule struct {
	// check validates props against the rest of the configuration and
	// moves write-only fields into rec.Secret. old is nil on create.
	check func(ctx context.Context, tx store.Tx, rec *store.Record, props model.Properties, old *store.Record, env checkEnv) error
	// remove deletes what depends on rec, or refuses.
	remove func(ctx context.Context, tx store.Tx, rec *store.Record, opts RemoveOptions) error
}

// rules holds the rule of each kind that has one.
var rules = map[model.Kind]rule{
	model.KindAPI:                         {check: checkAPI, remove: removeAPI},
	model.KindOperation:                   {check: checkOperation, remove: removeOperation},
	model.KindProduct:                     {check: checkProduct, remove: removeProduct},
	model.KindSubscription:                {check: checkSubscription},
	model.KindUser:                        {check: checkUser, remove: removeUser},
	model.KindGroup:                       {check: checkGroup, remove: removeGroup},
	model.KindTag:                         {check: checkTag, remove: removeTag},
	model.KindNamedValue:                  {check: checkNamedValue},
	model.KindPolicyFragment:              {check: checkFragment},
	model.KindPolicy:                      {check: checkPolicy},
	model.KindBackend:                     {check: checkBackend, remove: removeBackend},
	model.KindSchema:                      {check: checkSchema},
	model.KindGateway:                     {check: checkGateway, remove: removeGateway},
	model.KindCertificate:                 {check: checkCertificate, remove: removeCertificate},
	model.KindGatewayCertificateAuthority: {check: checkGatewayCertificateAuthority},
	model.KindAPIVersionSet:               {check: checkVersionSet, remove: removeVersionSet},
	model.KindAPIRelease:                  {check: checkRelease},
	model.KindServicePrincipal:            {check: keepToken},
	model.KindLogger:                      {check: checkLogger, remove: removeLogger},
	model.KindDiagnostic:                  {check: checkDiagnostic},
	model.KindAPIDiagnostic:               {check: checkDiagnostic},
	model.KindWorkspace:                   {remove: removeWorkspace},
	model.KindAuthorizationProvider:       {check: checkAuthorizationProvider, remove: removeAuthorizationProvider},
	model.KindAuthorization:               {check: checkAuthorization},
}
