/**
 * Lets Node import a stylesheet the way the Remix compiler does (as its URL), for code run from
 * source by the bench (server/refusal-page.ts imports app.css). `node --import tsx --import
 * ./scripts/bench/css-hooks.mjs ...`: registers itself as a module hook on the main thread; in the
 * hooks thread it is the hook.
 */
import { register } from "node:module";
import { isMainThread } from "node:worker_threads";

export async function load(url, context, nextLoad) {
  if (new URL(url).pathname.endsWith(".css")) {
    const name = new URL(url).pathname.split("/").pop();
    return {
      format: "module",
      source: `export default ${JSON.stringify(`/build/_assets/${name}`)};`,
      shortCircuit: true,
    };
  }
  return nextLoad(url, context);
}

if (isMainThread) register(import.meta.url);
