// Package bridgeinfo maps the docker Terraform provider onto the Pulumi "docker" package
// as the @pulumi/docker SDK expects it on the wire.
package bridgeinfo

import (
	"os"
	"strings"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	sdkv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"

	upstream "github.com/terraform-providers/terraform-provider-docker/internal/provider"
)

// Version is the Pulumi package version; set with -ldflags -X.
var Version = "0.0.0"

func tok(kind, pascal string) string {
	camel := strings.ToLower(pascal[:1]) + pascal[1:]
	return "docker:index/" + camel + ":" + kind + pascal
}

func res(pascal string) *tfbridge.ResourceInfo {
	return &tfbridge.ResourceInfo{Tok: tokens.Type(tok("", pascal))}
}

func fn(camel string) *tfbridge.DataSourceInfo {
	return &tfbridge.DataSourceInfo{
		Tok: tokens.ModuleMember("docker:index/" + camel + ":" + camel),
	}
}

// Provider returns the bridge's description of the docker package.
func Provider() tfbridge.ProviderInfo {
	tf := upstream.New(Version)()

	container := res("Container")
	container.DeleteBeforeReplace = true
	container.Fields = map[string]*tfbridge.SchemaInfo{
		// one command given as a list of words: keep the singular name
		"command": {Name: "command"},
		// already plural in meaning; the SDK uses this exact name
		"networks_advanced": {Name: "networksAdvanced"},
	}

	remoteImage := res("RemoteImage")
	remoteImage.Fields = map[string]*tfbridge.SchemaInfo{"name": {Name: "name"}}

	info := tfbridge.ProviderInfo{
		P:           sdkv2.NewProvider(tf),
		Name:        "docker",
		Version:     Version,
		Description: "A Pulumi package for interacting with Docker in Pulumi programs",
		Keywords:    []string{"pulumi", "docker"},
		License:     "Apache-2.0",
		GitHubOrg:   "kreuzwerker",
		// Set at schema-generation time only, to read the upstream docs.
		UpstreamRepoPath: os.Getenv("DOCKER_UPSTREAM_DIR"),
		Config: map[string]*tfbridge.SchemaInfo{
			"host": {
				Default: &tfbridge.DefaultInfo{EnvVars: []string{"DOCKER_HOST"}},
			},
			"registry_auth": {Name: "registryAuth"},
		},
		Resources: map[string]*tfbridge.ResourceInfo{
			"docker_buildx_builder": res("BuildxBuilder"),
			"docker_config":         res("ServiceConfig"),
			"docker_container":      container,
			"docker_image":          remoteImage,
			"docker_network":        res("Network"),
			"docker_plugin":         res("Plugin"),
			"docker_registry_image": res("RegistryImage"),
			"docker_secret":         res("Secret"),
			"docker_service":        res("Service"),
			"docker_tag":            res("Tag"),
			"docker_volume":         res("Volume"),
		},
		DataSources: map[string]*tfbridge.DataSourceInfo{
			"docker_image":                    fn("getRemoteImage"),
			"docker_logs":                     fn("getLogs"),
			"docker_network":                  fn("getNetwork"),
			"docker_plugin":                   fn("getPlugin"),
			"docker_registry_image":           fn("getRegistryImage"),
			"docker_registry_image_manifests": fn("getRegistryImageManifests"),
		},
	}
	info.SetAutonaming(255, "-")
	return info
}
