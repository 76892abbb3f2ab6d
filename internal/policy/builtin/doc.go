// Package builtin holds Gatehouse's policy elements, one small type per
// element and file, and Register, which adds them to a policy.Registry.
// Each element follows APIM's policy reference: the same attributes,
// defaults and behaviour.
package builtin
