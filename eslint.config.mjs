import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "bin/**", "bench/out/**", "scratch/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always"],
      "no-console": "off",
    },
  },
  {
    // The package's modules import the provider modules they use: the root of @pulumi/aws or @pulumi/kubernetes
    // brings every service's declarations into a TypeScript program of the package (4,010 files, not 877),
    // which the build, Pulumi's schema analyzer and a user's tsc all parse.
    files: ["components/**/*.ts", "core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "@pulumi/aws", message: "import the module used (@pulumi/aws/iam, @pulumi/aws/eks, ...)" },
            { name: "@pulumi/kubernetes", message: "import the module used (@pulumi/kubernetes/core/v1, ...)" },
            { name: "@pulumi/kubernetes/helm/v3", message: "import @pulumi/kubernetes/helm/v3/release (helm/v3 brings the yaml module and every API group)" },
          ],
        },
      ],
    },
  },
  {
    files: ["tools/mocks.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
