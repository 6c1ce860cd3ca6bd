/**
 * Secret tokens in links (a booking's manage link, a draft's resume link, a sign-in link, a coach's
 * calendar feed): 256 random bits, shown once to the person they belong to and stored only as
 * their SHA-256, so a copy of the database cannot be used to act as anyone.
 */
import { createHash, randomBytes } from "node:crypto";

export function newSecretToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashSecretToken(token) };
}

export function hashSecretToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
