import js from "@eslint/js";
import jsxA11y from "eslint-plugin-jsx-a11y";
import react from "eslint-plugin-react";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

/**
 * One owner per table's state (docs/architecture.md): a write to these tables anywhere but in their
 * owner's module is an error. Drizzle's `insert/update/delete(table)` and raw SQL are both caught;
 * tests, which set scenes up by hand, are exempt.
 */
const OWNED_TABLES = [
  { table: "bookings", sqlName: "bookings", owner: "app/booking/lifecycle.server.ts" },
  { table: "bookingDrafts", sqlName: "booking_drafts", owner: "app/wizard/drafts.server.ts" },
  { table: "refunds", sqlName: "refunds", owner: "app/payments/refunds.server.ts" },
  { table: "funnelEvents", sqlName: "funnel_events", owner: "app/wizard/funnel.server.ts" },
  { table: "emailOutbox", sqlName: "email_outbox", owner: "app/email/outbox.server.ts" },
  { table: "manageTokens", sqlName: "manage_tokens", owner: "app/booking/manage-links.server.ts" },
  { table: "magicLinks", sqlName: "magic_links", owner: "app/booking/my-bookings.server.ts" },
];

function writeRestrictions({ table, sqlName, owner }) {
  const message = `Only ${owner} writes ${sqlName}: ask it (docs/architecture.md, "One owner per state").`;
  return [
    {
      selector: `CallExpression[callee.property.name=/^(insert|update|delete)$/] > Identifier.arguments[name='${table}']`,
      message,
    },
    {
      selector: `CallExpression[callee.property.name=/^(insert|update|delete)$/] > MemberExpression.arguments[property.name='${table}']`,
      message,
    },
    {
      selector: `TemplateElement[value.raw=/(insert\\s+(or\\s+\\w+\\s+)?into|update|delete\\s+from)\\s+[\`"']?${sqlName}\\b/i]`,
      message,
    },
    {
      selector: `Literal[value=/(insert\\s+(or\\s+\\w+\\s+)?into|update|delete\\s+from)\\s+[\`"']?${sqlName}\\b/i]`,
      message,
    },
  ];
}

const TESTS = ["**/*.test.ts", "**/*.test.tsx", "tests/**"];

/** Every file gets the restrictions of every table it does not own. */
const ownership = [
  {
    files: ["**/*.{ts,tsx,js,mjs}"],
    ignores: [...TESTS, ...OWNED_TABLES.map((t) => t.owner)],
    rules: { "no-restricted-syntax": ["error", ...OWNED_TABLES.flatMap(writeRestrictions)] },
  },
  ...OWNED_TABLES.map((owned) => ({
    files: [owned.owner],
    rules: {
      "no-restricted-syntax": [
        "error",
        ...OWNED_TABLES.filter((t) => t !== owned).flatMap(writeRestrictions),
      ],
    },
  })),
];

/** Domain folders return typed results; only routes (and app/http/) turn them into responses. */
const DOMAIN_FOLDERS = [
  "wizard",
  "availability",
  "catalogue",
  "booking",
  "payments",
  "email",
  "auth",
  "jobs",
  "lib",
];
const RESPONSE_HELPERS = ["redirect", "redirectDocument", "replace", "json", "data", "defer"];
const frameworkFreeDomain = {
  files: DOMAIN_FOLDERS.map((folder) => `app/${folder}/**`),
  rules: {
    "no-restricted-imports": [
      "error",
      {
        paths: ["@remix-run/node", "@remix-run/server-runtime", "@remix-run/express"].map(
          (name) => ({
            name,
            importNames: RESPONSE_HELPERS,
            message:
              "Domain modules return results; map them to responses in app/http/ or a route.",
          }),
        ),
        patterns: [
          {
            group: ["@remix-run/react"],
            message: "Domain modules are server code, not React.",
          },
        ],
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ["build/", "public/build/", ".cache/", "node_modules/", "drizzle/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  ...ownership,
  frameworkFreeDomain,
  {
    files: ["app/**/*.tsx"],
    ...react.configs.flat.recommended,
    ...react.configs.flat["jsx-runtime"],
    settings: { react: { version: "detect" } },
  },
  {
    files: ["app/**/*.tsx"],
    plugins: { "react-hooks": reactHooks, "jsx-a11y": jsxA11y },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...jsxA11y.flatConfigs.recommended.rules,
      // Lists styled with `list-style: none` lose their semantics in Safari unless role="list" says so.
      "jsx-a11y/no-redundant-roles": ["error", { ul: ["list"] }],
      // Choice cards nest their text in spans inside the label.
      "jsx-a11y/label-has-associated-control": ["error", { assert: "either", depth: 3 }],
    },
  },
);
