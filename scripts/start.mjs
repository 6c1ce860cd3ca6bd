/**
 * `npm start` and the `db:*` scripts: build if needed, then run the server (which migrates, seeds
 * on first start and serves) or one of its commands (`migrate`, `seed`, `backup <file>`,
 * `restore <file>`, passed through from the command line). Without Stripe keys this is the demo.
 */
import { buildIfStale } from "./build-if-stale.mjs";

buildIfStale();
await import("../build/index.js");
