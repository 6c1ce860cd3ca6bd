import { ensureChromium } from "./chromium";

// Fails the end-to-end layer loudly rather than skipping it when no browser can be had.
export default function setup() {
  ensureChromium();
}
