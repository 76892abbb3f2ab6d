package control

import (
	"context"
	"strings"

	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
)

// schemaProbe is a policy that uses the schema being saved, compiled to
// check that validate-content can use it.
const schemaProbe = `<policies><inbound><validate-content unspecified-content-type-action="ignore" max-size="0" size-exceeded-action="ignore">` +
	`<content validate-as="json" action="prevent" schema-id="probe" /></validate-content></inbound></policies>`

// checkSchema refuses a JSON schema that validate-content could not use
// (it does not compile, or refers to another document), with the
// compiler's reason; whether a policy's schema-ref still finds its part is
// the Guard's check.
func checkSchema(_ context.Context, _ store.Tx, _ *store.Record, props model.Properties, _ *store.Record, env checkEnv) error {
	s := props.(*model.Schema)
	penv := policy.Env{Schemas: map[string]*policy.Schema{"probe": {Type: s.SchemaType, Document: s.Document}}}
	ds := compile.Document(env.policies, penv, nil, schemaProbe)
	if len(ds) == 0 {
		return nil
	}
	msg := ds[0].Msg
	msg = strings.TrimPrefix(msg, `schema "probe": `)
	return Invalid("properties.document", "The schema cannot be used: "+msg)
}
