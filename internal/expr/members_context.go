package expr

import (
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strings"
	"time"
)

var (
	tyContext = named("IContext")
	tyRequest = named("IRequest")
	tyResp    = named("IResponse")
	tyURL     = named("IUrl")
	tyHeaders = &Type{name: "IHeaders", elem: named("KeyValuePair")}
	tyQuery   = &Type{name: "IQuery", elem: named("KeyValuePair")}
	tyDict    = &Type{name: "IParameters", elem: named("KeyValuePair")}
	tyVars    = &Type{name: "IVariables", elem: named("KeyValuePair")}
	tyBody    = named("IMessageBody")
	tyGroups  = &Type{name: "array", elem: named("IGroup")}
)

// orNil returns nil for a nil pointer, so that `x == null` holds.
func orNil[T any](p *T) any {
	if p == nil {
		return nil
	}
	return p
}

func optTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// addContextMembers adds the members of the context object and of the
// values it holds, of KeyValuePair and of Exception.
func addContextMembers(l *Library) {
	m := map[string]Members{}
	contextMembers(m)
	addCoreValueMembers(m)
	for name, t := range m {
		l.AddMembers(name, t)
	}
}

func contextMembers(m map[string]Members) {
	m["IContext"] = Members{
		"Request":      val(tyRequest, func(r any) any { return orNil(r.(*Context).Request) }),
		"Response":     val(tyResp, func(r any) any { return orNil(r.(*Context).Response) }),
		"Variables":    val(tyVars, func(r any) any { return vars(r.(*Context)) }),
		"Subscription": val(named("ISubscription"), func(r any) any { return orNil(r.(*Context).Subscription) }),
		"User":         val(named("IUser"), func(r any) any { return orNil(r.(*Context).User) }),
		"Product":      val(named("IProduct"), func(r any) any { return orNil(r.(*Context).Product) }),
		"Api":          val(named("IApi"), func(r any) any { return orNil(r.(*Context).API) }),
		"Operation":    val(named("IOperation"), func(r any) any { return orNil(r.(*Context).Operation) }),
		"Deployment":   val(named("IDeployment"), func(r any) any { return orNil(r.(*Context).Deployment) }),
		"LastError":    val(named("ILastError"), func(r any) any { return orNil(r.(*Context).LastError) }),
		"RequestId": prop(tyGuid, func(r any) (any, error) {
			id := r.(*Context).RequestID
			if id == "" {
				return Guid{}, nil
			}
			g, err := ParseGuid(id)
			if err != nil {
				return nil, Fail("context.RequestId: %v", err)
			}
			return g, nil
		}),
		"Timestamp": val(tyDateTime, func(r any) any { return r.(*Context).Timestamp.UTC() }),
		"Elapsed": val(tyTimeSpan, func(r any) any {
			c := r.(*Context)
			return now(c).Sub(c.Timestamp)
		}),
		"Tracing": val(tyBool, func(r any) any { return r.(*Context).Trace != nil }),
		"Trace": &Member{Result: tyVoid, Min: 1, Max: 1, Call: func(_ *Env, r any, a []any, _ []*Type) (any, error) {
			if c := r.(*Context); c.Trace != nil {
				c.Trace("expression", ToString(a[0]))
			}
			return nil, nil
		}},
	}
	m["IRequest"] = Members{
		"Method":            val(tyString, func(r any) any { return r.(*Request).Method }),
		"Url":               val(tyURL, func(r any) any { return orNil(r.(*Request).URL) }),
		"OriginalUrl":       val(tyURL, func(r any) any { return orNil(r.(*Request).OriginalURL) }),
		"Headers":           val(tyHeaders, func(r any) any { return r.(*Request).Headers }),
		"IpAddress":         val(tyString, func(r any) any { return r.(*Request).IPAddress }),
		"Body":              val(tyBody, func(r any) any { return orNil(r.(*Request).Body) }),
		"MatchedParameters": val(tyDict, func(r any) any { return r.(*Request).Parameters() }),
		"Certificate": val(NewType("X509Certificate2", TypeOptions{}), func(r any) any {
			if c := r.(*Request).Certificate; c != nil {
				return c
			}
			return nil
		}),
	}
	m["IResponse"] = Members{
		"StatusCode":   val(tyInt, func(r any) any { return r.(*Response).StatusCode }),
		"StatusReason": val(tyString, func(r any) any { return r.(*Response).StatusReason }),
		"Headers":      val(tyHeaders, func(r any) any { return r.(*Response).Headers }),
		"Body":         val(tyBody, func(r any) any { return orNil(r.(*Response).Body) }),
	}
	m["IUrl"] = Members{
		"Scheme":      val(tyString, func(r any) any { return r.(*URL).Scheme }),
		"Host":        val(tyString, func(r any) any { return r.(*URL).Host }),
		"Port":        val(tyInt, func(r any) any { return r.(*URL).Port }),
		"Path":        val(tyString, func(r any) any { return r.(*URL).Path }),
		"Query":       val(tyQuery, func(r any) any { return r.(*URL).QueryValues() }),
		"QueryString": val(tyString, func(r any) any { return r.(*URL).queryString() }),
	}
	m["IHeaders"] = multiMap(func(r any) map[string][]string { return r.(http.Header) }, true)
	m["IQuery"] = multiMap(func(r any) map[string][]string { return r.(url.Values) }, false)
	m["IParameters"] = dictMembers()
	m["IVariables"] = varsMembers()
	m["IMessageBody"] = Members{
		"As": genericM(true, 0, 1, func(_ *Env, r any, a []any, targs []*Type) (any, error) {
			preserve := false
			if len(a) == 1 {
				b, ok := a[0].(bool)
				if !ok {
					return nil, Fail("preserveContent must be bool")
				}
				preserve = b
			}
			return bodyAs(r.(*Body), targs[0], preserve)
		}),
		"AsFormUrlEncodedContent": fn(tyQuery, 0, 1, func(r any, a []any) (any, error) {
			b := r.(*Body)
			data, err := b.Bytes()
			if err != nil {
				return nil, Fail("read body: %v", err)
			}
			if len(a) == 0 || a[0] != true {
				b.Set([]byte{})
			}
			v, err := url.ParseQuery(string(data))
			if err != nil {
				return nil, Fail("body is not form-urlencoded: %v", err)
			}
			return v, nil
		}),
	}
	m["ISubscription"] = Members{
		"Id":           val(tyString, func(r any) any { return r.(*Subscription).ID }),
		"Name":         val(tyString, func(r any) any { return r.(*Subscription).Name }),
		"Key":          val(tyString, func(r any) any { return r.(*Subscription).Key }),
		"PrimaryKey":   val(tyString, func(r any) any { return r.(*Subscription).PrimaryKey }),
		"SecondaryKey": val(tyString, func(r any) any { return r.(*Subscription).SecondaryKey }),
		"CreatedDate":  val(tyDateTime, func(r any) any { return r.(*Subscription).CreatedDate }),
		"StartDate":    val(tyDateTime, func(r any) any { return optTime(r.(*Subscription).StartDate) }),
		"EndDate":      val(tyDateTime, func(r any) any { return optTime(r.(*Subscription).EndDate) }),
	}
	m["IUser"] = Members{
		"Id":               val(tyString, func(r any) any { return r.(*User).ID }),
		"Email":            val(tyString, func(r any) any { return r.(*User).Email }),
		"FirstName":        val(tyString, func(r any) any { return r.(*User).FirstName }),
		"LastName":         val(tyString, func(r any) any { return r.(*User).LastName }),
		"Note":             val(tyString, func(r any) any { return r.(*User).Note }),
		"RegistrationDate": val(tyDateTime, func(r any) any { return r.(*User).RegistrationDate }),
		"Groups":           val(tyGroups, func(r any) any { return r.(*User).Groups }),
	}
	m["IGroup"] = Members{
		"Id":   val(tyString, func(r any) any { return r.(Group).ID }),
		"Name": val(tyString, func(r any) any { return r.(Group).Name }),
	}
	m["IProduct"] = Members{
		"Id":                   val(tyString, func(r any) any { return r.(*Product).ID }),
		"Name":                 val(tyString, func(r any) any { return r.(*Product).Name }),
		"State":                val(tyString, func(r any) any { return r.(*Product).State }),
		"SubscriptionRequired": val(tyBool, func(r any) any { return r.(*Product).SubscriptionRequired }),
		"ApprovalRequired":     val(tyBool, func(r any) any { return r.(*Product).ApprovalRequired }),
		"Groups":               val(tyGroups, func(r any) any { return r.(*Product).Groups }),
	}
	m["IApi"] = Members{
		"Id":                val(tyString, func(r any) any { return r.(*API).ID }),
		"Name":              val(tyString, func(r any) any { return r.(*API).Name }),
		"Path":              val(tyString, func(r any) any { return r.(*API).Path }),
		"Version":           val(tyString, func(r any) any { return r.(*API).Version }),
		"Protocols":         val(tyStrings, func(r any) any { return r.(*API).Protocols }),
		"ServiceUrl":        val(tyURL, func(r any) any { return orNil(r.(*API).ServiceURL) }),
		"Revision":          val(tyString, func(r any) any { return r.(*API).Revision }),
		"IsCurrentRevision": val(tyBool, func(r any) any { return r.(*API).IsCurrentRevision }),
		"SubscriptionKeyParameterNames": val(named("ISubscriptionKeyParameterNames"), func(r any) any {
			return &r.(*API).SubscriptionKeyParameterNames
		}),
	}
	m["ISubscriptionKeyParameterNames"] = Members{
		"Header": val(tyString, func(r any) any { return r.(*struct{ Header, Query string }).Header }),
		"Query":  val(tyString, func(r any) any { return r.(*struct{ Header, Query string }).Query }),
	}
	m["IOperation"] = Members{
		"Id":          val(tyString, func(r any) any { return r.(*Operation).ID }),
		"Name":        val(tyString, func(r any) any { return r.(*Operation).Name }),
		"Method":      val(tyString, func(r any) any { return r.(*Operation).Method }),
		"UrlTemplate": val(tyString, func(r any) any { return r.(*Operation).URLTemplate }),
	}
	m["IDeployment"] = Members{
		"GatewayId":   val(tyString, func(r any) any { return r.(*Deployment).GatewayID }),
		"Region":      val(tyString, func(r any) any { return r.(*Deployment).Region }),
		"ServiceName": val(tyString, func(r any) any { return r.(*Deployment).ServiceName }),
		"ServiceId":   val(tyString, func(r any) any { return r.(*Deployment).ServiceID }),
		"Gateway":     val(named("IDeploymentGateway"), func(r any) any { return orNil(r.(*Deployment).Gateway) }),
	}
	m["IDeploymentGateway"] = Members{
		"Id":         val(tyString, func(r any) any { return r.(*DeploymentGateway).ID }),
		"InstanceId": val(tyString, func(r any) any { return r.(*DeploymentGateway).InstanceID }),
		"IsManaged":  val(tyBool, func(r any) any { return r.(*DeploymentGateway).IsManaged }),
	}
	m["ILastError"] = Members{
		"Source":   val(tyString, func(r any) any { return r.(*LastError).Source }),
		"Reason":   val(tyString, func(r any) any { return r.(*LastError).Reason }),
		"Message":  val(tyString, func(r any) any { return r.(*LastError).Message }),
		"Scope":    val(tyString, func(r any) any { return r.(*LastError).Scope }),
		"Section":  val(tyString, func(r any) any { return r.(*LastError).Section }),
		"Path":     val(tyString, func(r any) any { return r.(*LastError).Path }),
		"PolicyId": val(tyString, func(r any) any { return r.(*LastError).PolicyID }),
	}
}

func now(c *Context) time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func vars(c *Context) map[string]any {
	if c.Variables == nil {
		return map[string]any{}
	}
	return c.Variables
}

// lookupMulti finds name in a header (case-insensitively) or query collection.
func lookupMulti(m map[string][]string, name string, fold bool) ([]string, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	if !fold {
		return nil, false
	}
	if v, ok := m[textproto.CanonicalMIMEHeaderKey(name)]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// defaultString returns the optional string default argument of GetValueOrDefault.
func defaultString(a []any) (any, error) {
	if len(a) < 2 || a[1] == nil {
		return nil, nil
	}
	if s, ok := a[1].(string); ok {
		return s, nil
	}
	return nil, Fail("defaultValue must be a string, not %s", TypeName(a[1]))
}

func joinValues(v []string) string {
	if len(v) == 1 {
		return v[0]
	}
	return strings.Join(v, ",")
}

func sortedKeys[V any](m map[string]V) []any {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out
}

// multiMap returns the members of headers and query parameters:
// IReadOnlyDictionary<string, string[]> plus APIM's GetValueOrDefault,
// which joins the values with commas.
func multiMap(get func(any) map[string][]string, fold bool) Members {
	str := func(a any) (string, error) {
		s, ok := a.(string)
		if !ok {
			return "", Fail("name must be a string, not %s", TypeName(a))
		}
		return s, nil
	}
	return Members{
		"GetValueOrDefault": fn(tyString, 1, 2, func(r any, a []any) (any, error) {
			name, err := str(a[0])
			if err != nil {
				return nil, err
			}
			if v, ok := lookupMulti(get(r), name, fold); ok {
				return joinValues(v), nil
			}
			return defaultString(a)
		}),
		"[]": fn(tyStrings, 1, 1, func(r any, a []any) (any, error) {
			name, err := str(a[0])
			if err != nil {
				return nil, err
			}
			if v, ok := lookupMulti(get(r), name, fold); ok {
				return v, nil
			}
			return nil, Fail("the given key '%s' was not present in the dictionary", name)
		}),
		"ContainsKey": fn(tyBool, 1, 1, func(r any, a []any) (any, error) {
			name, err := str(a[0])
			if err != nil {
				return nil, err
			}
			_, ok := lookupMulti(get(r), name, fold)
			return ok, nil
		}),
		"TryGetValue": fn(tyBool, 2, 2, func(r any, a []any) (any, error) {
			name, err := str(a[0])
			if err != nil {
				return nil, err
			}
			o, isOut := a[1].(Out)
			if !isOut {
				return nil, Fail("TryGetValue needs an out argument")
			}
			v, ok := lookupMulti(get(r), name, fold)
			if ok {
				o.Set(v)
			} else {
				o.Set(nil)
			}
			return ok, nil
		}),
		"Count":  val(tyInt, func(r any) any { return len(get(r)) }),
		"Keys":   val(&Type{name: "array", elem: tyString}, func(r any) any { return sortedKeys(get(r)) }),
		"Values": val(tyArray, func(r any) any { return mapValues(get(r)) }),
	}
}

func mapValues(m map[string][]string) []any {
	keys := sortedKeys(m)
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = m[k.(string)]
	}
	return out
}

func dictMembers() Members {
	get := func(r any, a []any) (string, bool, error) {
		name, ok := a[0].(string)
		if !ok {
			return "", false, Fail("key must be a string, not %s", TypeName(a[0]))
		}
		v, ok := r.(map[string]string)[name]
		return v, ok, nil
	}
	return Members{
		"GetValueOrDefault": fn(tyString, 1, 2, func(r any, a []any) (any, error) {
			v, ok, err := get(r, a)
			switch {
			case err != nil:
				return nil, err
			case ok:
				return v, nil
			}
			return defaultString(a)
		}),
		"[]": fn(tyString, 1, 1, func(r any, a []any) (any, error) {
			v, ok, err := get(r, a)
			if err == nil && !ok {
				err = Fail("the given key '%s' was not present in the dictionary", ToString(a[0]))
			}
			return v, err
		}),
		"ContainsKey": fn(tyBool, 1, 1, func(r any, a []any) (any, error) {
			_, ok, err := get(r, a)
			return ok, err
		}),
		"TryGetValue": fn(tyBool, 2, 2, func(r any, a []any) (any, error) {
			v, ok, err := get(r, a)
			o, isOut := a[1].(Out)
			if err == nil && !isOut {
				err = Fail("TryGetValue needs an out argument")
			}
			if err != nil {
				return nil, err
			}
			if ok {
				o.Set(v)
			} else {
				o.Set(nil)
			}
			return ok, nil
		}),
		"Count": val(tyInt, func(r any) any { return len(r.(map[string]string)) }),
		"Keys":  val(&Type{name: "array", elem: tyString}, func(r any) any { return sortedKeys(r.(map[string]string)) }),
	}
}

func varsMembers() Members {
	key := func(a any) (string, error) {
		s, ok := a.(string)
		if !ok {
			return "", Fail("variable name must be a string, not %s", TypeName(a))
		}
		return s, nil
	}
	return Members{
		"[]": fn(tyObject, 1, 1, func(r any, a []any) (any, error) {
			k, err := key(a[0])
			if err != nil {
				return nil, err
			}
			v, ok := r.(map[string]any)[k]
			if !ok {
				return nil, Fail("the given key '%s' was not present in the dictionary", k)
			}
			return v, nil
		}),
		"ContainsKey": fn(tyBool, 1, 1, func(r any, a []any) (any, error) {
			k, err := key(a[0])
			_, ok := r.(map[string]any)[k]
			return ok, err
		}),
		"GetValueOrDefault": genericM(false, 1, 2, func(_ *Env, r any, a []any, targs []*Type) (any, error) {
			k, err := key(a[0])
			if err != nil {
				return nil, err
			}
			v, ok := r.(map[string]any)[k]
			t := tyObject
			if len(targs) == 1 {
				t = targs[0]
			}
			if !ok {
				if len(a) == 2 {
					return Cast(t, a[1], false)
				}
				return Zero(t), nil
			}
			cv, err := Cast(t, v, true)
			if err != nil {
				return nil, Fail("variable %s: %v", k, err)
			}
			return cv, nil
		}),
		"TryGetValue": fn(tyBool, 2, 2, func(r any, a []any) (any, error) {
			k, err := key(a[0])
			if err != nil {
				return nil, err
			}
			o, isOut := a[1].(Out)
			if !isOut {
				return nil, Fail("TryGetValue needs an out argument")
			}
			v, ok := r.(map[string]any)[k]
			o.Set(v)
			return ok, nil
		}),
		"Count": val(tyInt, func(r any) any { return len(r.(map[string]any)) }),
		"Keys":  val(&Type{name: "array", elem: tyString}, func(r any) any { return sortedKeys(r.(map[string]any)) }),
	}
}

// Zero is default(T).
func Zero(t *Type) any {
	switch t.name {
	case "int":
		return 0
	case "long":
		return int64(0)
	case "double":
		return 0.0
	case "bool":
		return false
	case "char":
		return rune(0)
	case "DateTime":
		return time.Time{}
	case "TimeSpan":
		return time.Duration(0)
	case "Guid":
		return Guid{}
	}
	return nil
}

// bodyAs implements Body.As<T>(preserveContent).
func bodyAs(b *Body, t *Type, preserve bool) (any, error) {
	data, err := b.Bytes()
	if err != nil {
		return nil, Fail("read body: %v", err)
	}
	if !preserve {
		b.Set([]byte{})
	}
	switch {
	case t.name == "string":
		return string(data), nil
	case t.name == "byte[]":
		return data, nil
	case t.decode != nil:
		return t.decode(data)
	}
	return nil, Fail("Body.As<%s> is not supported (use string, byte[], JObject, JArray, JToken, XElement or XDocument)", t.name)
}

// addCoreValueMembers adds the members of KeyValuePair and Exception.
func addCoreValueMembers(m map[string]Members) {
	m["Exception"] = Members{
		"Message": val(tyString, func(r any) any { return r.(*Exception).Message }),
	}
	m["KeyValuePair"] = Members{
		"Key":   val(tyString, func(r any) any { return r.(KeyValuePair).Key }),
		"Value": val(tyObject, func(r any) any { return r.(KeyValuePair).Value }),
	}
}
