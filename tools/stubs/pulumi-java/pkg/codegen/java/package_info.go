// Package java is a stand-in (see tools/README.md) with the one type
// pulumi-docker-build uses: the "java" language settings of a schema.
package java

// PackageInfo holds the Java SDK-generation settings of a Pulumi package schema.
type PackageInfo struct {
	PackageReferences               map[string]string `json:"packageReferences,omitempty"`
	BasePackage                     string            `json:"basePackage,omitempty"`
	BuildFiles                      string            `json:"buildFiles,omitempty"`
	Dependencies                    map[string]string `json:"dependencies,omitempty"`
	GradleNexusPublishPluginVersion string            `json:"gradleNexusPublishPluginVersion,omitempty"`
	GradleTest                      string            `json:"gradleTest,omitempty"`
}
