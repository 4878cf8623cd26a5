// ESLint for the site's front end (overrides/src), as ruff is for Python: run by .ci/test as
// `node_modules/.bin/eslint overrides/src`. The recommended rules, browser and worker globals,
// and a few rules that catch what a careful review would.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["overrides/src/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
    rules: {
      "no-unused-vars": ["error", { args: "after-used", argsIgnorePattern: "^_", caughtErrors: "none" }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-var": "error",
      "prefer-const": "error",
      "no-shadow": "error",
      "no-implicit-globals": "error",
      "no-eval": "error",
      "no-new-func": "error",
      "max-lines-per-function": ["error", { max: 80, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    // the Web Worker: importScripts and the worker's self
    files: ["overrides/src/worker.js"],
    languageOptions: { globals: { ...globals.worker } },
  },
];
