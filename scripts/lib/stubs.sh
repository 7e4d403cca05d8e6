# shellcheck shell=bash
# Stand-ins for two Go modules that the docker-build provider imports but that the
# Go module proxy reachable here does not serve (403 "This module version is not
# available" for every version):
#   github.com/pulumi/pulumi-java                        (pkg/codegen/java)
#   github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3 (codegen)
# pulumi-docker-build v0.0.22 uses each for one struct literal only: the Java and
# C# entries of the "language" section of its schema (SDK-generation settings).
# Nothing at run time reads them, so a struct with the same fields and JSON names
# is enough.  The wrapper module points at these with local `replace` lines.

# write_docker_build_stubs DIR: writes DIR/pulumi-java and DIR/pulumi-language-dotnet
write_docker_build_stubs() {
  local d=$1
  mkdir -p "$d/pulumi-java/pkg/codegen/java" "$d/pulumi-language-dotnet/codegen"
  cat >"$d/pulumi-java/go.mod" <<'EOF'
module github.com/pulumi/pulumi-java

go 1.22
EOF
  cat >"$d/pulumi-java/pkg/codegen/java/package_info.go" <<'EOF'
// Package java: stand-in (scripts/lib/stubs.sh) with the one type
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
EOF
  cat >"$d/pulumi-language-dotnet/go.mod" <<'EOF'
module github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3

go 1.22
EOF
  cat >"$d/pulumi-language-dotnet/codegen/package_info.go" <<'EOF'
// Package codegen: stand-in (scripts/lib/stubs.sh) with the one type
// pulumi-docker-build uses: the "csharp" language settings of a schema.
package codegen

// CSharpPackageInfo holds the C# SDK-generation settings of a Pulumi package schema.
type CSharpPackageInfo struct {
	PackageReferences      map[string]string `json:"packageReferences,omitempty"`
	Namespaces             map[string]string `json:"namespaces,omitempty"`
	Compatibility          string            `json:"compatibility,omitempty"`
	DictionaryConstructors bool              `json:"dictionaryConstructors,omitempty"`
	ProjectReferences      []string          `json:"projectReferences,omitempty"`
	RootNamespace          string            `json:"rootNamespace,omitempty"`
	RespectSchemaVersion   bool              `json:"respectSchemaVersion,omitempty"`
}
EOF
}
