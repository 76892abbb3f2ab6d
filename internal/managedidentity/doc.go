// Package managedidentity gets OAuth 2.0 access tokens for the
// authentication-managed-identity policy when the gateway runs outside
// Azure: from a configured token endpoint by the client-credentials grant,
// the client authenticating with a client secret or with a federated
// client assertion (the projected Kubernetes service-account token of
// Azure Workload Identity, or of any identity provider that trusts the
// cluster's issuer).
//
// A Provider keeps one token per (client id, resource) and fetches a new
// one shortly before the cached one expires: when less than five minutes
// or a tenth of its lifetime (whichever is smaller) remains. One fetch per
// key runs at a time, concurrent callers wait for it, and a failed fetch
// is remembered for a few seconds, so requests never cause a fetch each
// and a broken endpoint is not hammered. Secrets and tokens never appear
// in log lines or error messages.
//
// Config.WithAzureEnvironment fills what a Config leaves empty from Azure
// Workload Identity's environment (AZURE_CLIENT_ID, AZURE_TENANT_ID,
// AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST).
package managedidentity
