import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function randomAlphanumeric(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

/** Ids shaped like Stripe's: `pi_3Pgafy...`, `cs_test_a1YS...`, `evt_1Pgc...`. */
export function newId(
  prefix: "cs_test" | "pi" | "ch" | "re" | "evt" | "li" | "req" | "prod" | "price",
): string {
  if (prefix === "cs_test") return `cs_test_a1${randomAlphanumeric(56)}`;
  return `${prefix}_${randomAlphanumeric(24)}`;
}
