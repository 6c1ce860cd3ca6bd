/**
 * `npm start`: build if needed, then run the server (which migrates, seeds on first start and
 * serves). Without Stripe keys this is the demo practice with test payments.
 */
import { buildIfStale } from "./build-if-stale.mjs";

buildIfStale();
await import("../build/index.js");
