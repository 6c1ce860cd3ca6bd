// The integration and end-to-end layers test the built server, as production runs it.
import { buildIfStale } from "../scripts/build-if-stale.mjs";

export default function setup() {
  buildIfStale();
}
