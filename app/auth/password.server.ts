/**
 * Password hashing with scrypt from node:crypto: memory-hard, in the standard library, no native
 * dependency of our own to build.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

const KEY_LENGTH = 32;
// 2^15 x 8 x 128 bytes = 32 MiB per hash: slow for an attacker, fine for a sign-in.
const COST = { N: 2 ** 15, r: 8, p: 1 };

function maxmemFor(params: { N: number; r: number }) {
  return 128 * params.N * params.r * 2;
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url: self-describing, so costs can rise later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, KEY_LENGTH, { ...COST, maxmem: maxmemFor(COST) });
  return [
    "scrypt",
    COST.N,
    COST.r,
    COST.p,
    salt.toString("base64url"),
    hash.toString("base64url"),
  ].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [algorithm, n, r, p, salt, hash] = stored.split("$");
  if (algorithm !== "scrypt" || !salt || !hash) return false;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (![params.N, params.r, params.p].every(Number.isInteger)) return false;
  const expected = Buffer.from(hash, "base64url");
  const actual = await scrypt(password, Buffer.from(salt, "base64url"), expected.length, {
    ...params,
    maxmem: maxmemFor(params),
  });
  return timingSafeEqual(actual, expected);
}

/** A password to show once: 16 characters of base64url, 96 random bits. */
export function generatePassword(): string {
  return randomBytes(12).toString("base64url");
}
