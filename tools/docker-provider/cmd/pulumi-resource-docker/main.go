// Command pulumi-resource-docker is the docker package's Pulumi resource plugin.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	"github.com/terraform-providers/terraform-provider-docker/pulumiwrapper/bridgeinfo"
)

//go:embed schema.json
var schema []byte

func main() {
	tfbridge.Main("docker", bridgeinfo.Version, bridgeinfo.Provider(), schema)
}
