// Package helm holds Gatehouse's Helm charts, gatehouse (the management
// plane) and gatehouse-gateway (a self-hosted gateway), and their tests:
// each chart is rendered with the Helm SDK from its defaults and from
// every values file in its examples folder, every object is decoded
// strictly into its Kubernetes API type, the objects' references to one
// another are followed, helm lint's rules must pass, and the rendered
// output is compared with golden files in testdata (GATEHOUSE_UPDATE_GOLDEN=1
// rewrites them). Other tests run the binaries with the settings the
// charts render.
package helm
