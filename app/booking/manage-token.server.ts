/**
 * The client's manage link: a random token of 256 bits, shown to the client (in their emails) and
 * stored only as its SHA-256, so a copy of the database cannot be used to change anyone's booking.
 */
import { createHash, randomBytes } from "node:crypto";

export function newManageToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashManageToken(token) };
}

export function hashManageToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
