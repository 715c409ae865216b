// Command pulumi-resource-kubernetes serves the Pulumi Kubernetes provider built from its Go module.
// It embeds the module's schema.json (with the stamped version set, as upstream's go generate does)
// and terraform-mapping.json, both copied beside this file before the build.
package main

import (
	_ "embed"
	"encoding/json"
	"log"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema.json
var schema []byte

//go:embed terraform-mapping.json
var terraformMapping []byte

func main() {
	var spec map[string]any
	if err := json.Unmarshal(schema, &spec); err != nil {
		log.Fatalf("cannot read the embedded schema: %v", err)
	}
	spec["version"] = version.Version
	versioned, err := json.Marshal(spec)
	if err != nil {
		log.Fatalf("cannot write the schema: %v", err)
	}
	provider.Serve("kubernetes", version.Version, versioned, terraformMapping)
}
