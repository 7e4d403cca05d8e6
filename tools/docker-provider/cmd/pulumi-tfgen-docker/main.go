// Command pulumi-tfgen-docker generates the docker package's Pulumi schema.
package main

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"

	"github.com/terraform-providers/terraform-provider-docker/pulumiwrapper/bridgeinfo"
)

func main() {
	tfgen.Main("docker", bridgeinfo.Version, bridgeinfo.Provider())
}
