// Package codegen is a stand-in (see tools/README.md) with the one type
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
