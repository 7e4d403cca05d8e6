// Lint the package and its tests with typescript-eslint's recommended rules.
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["dist/", "node_modules/", "examples/*/node_modules/", "test/fixtures/", "test/golden/", ".pulumi-python-app/"] },
    ...tseslint.configs.recommended,
    {
        rules: {
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-require-imports": "off",
        },
    },
);
