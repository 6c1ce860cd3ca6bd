/**
 * Coach accounts: who may sign in, with which role. The owner runs the whole practice; a coach
 * sees and acts on their own calendar. Passwords are stored only as scrypt hashes.
 */
import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "~db/database.server";
import { coaches, users, type USER_ROLES } from "~db/schema";
import { generatePassword, hashPassword, verifyPassword } from "./password.server";

export type Role = (typeof USER_ROLES)[number];
export type User = { id: number; email: string; name: string; role: Role; coachId: number | null };

const userColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  coachId: users.coachId,
};

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function findUser(db: Pick<DbOrTx, "select">, id: number): User | null {
  return db.select(userColumns).from(users).where(eq(users.id, id)).get() ?? null;
}

/** A hash of a password nobody has: checked against when the email is unknown, to take as long. */
let decoy: Promise<string> | undefined;

/**
 * The account with this email and password, or null. An unknown email costs the same scrypt work
 * as a wrong password, so the time taken does not tell which it was.
 */
export async function verifyLogin(
  db: Pick<DbOrTx, "select">,
  email: string,
  password: string,
): Promise<User | null> {
  const row = db
    .select({ ...userColumns, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.email, normaliseEmail(email)))
    .get();
  decoy ??= hashPassword(generatePassword());
  const matches = await verifyPassword(password, row?.passwordHash ?? (await decoy));
  if (!row || !matches) return null;
  const { passwordHash: _hash, ...user } = row;
  return user;
}

/**
 * Creates the account, or gives an existing one a new password (and the owner's role, when asked
 * for; a reset never demotes an owner). The account is tied to the coach with the same email, if
 * there is one. Returns the password, which is stored nowhere: the caller shows it once.
 */
export async function createOrResetAccount(
  db: DbOrTx,
  { email, name, owner }: { email: string; name: string; owner: boolean },
): Promise<{ user: User; password: string; created: boolean }> {
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  const address = normaliseEmail(email);
  const coach = db
    .select({ id: coaches.id })
    .from(coaches)
    .where(sql`lower(${coaches.email}) = ${address}`)
    .get();
  const existing = db
    .select({ id: users.id, role: users.role })
    .from(users)
    .where(eq(users.email, address))
    .get();
  const role: Role = owner ? "owner" : (existing?.role ?? "coach");
  if (existing) {
    db.update(users)
      .set({ name, role, passwordHash, coachId: coach?.id ?? null })
      .where(eq(users.id, existing.id))
      .run();
  } else {
    db.insert(users)
      .values({ email: address, name, role, passwordHash, coachId: coach?.id ?? null })
      .run();
  }
  const user = db.select(userColumns).from(users).where(eq(users.email, address)).get()!;
  return { user, password, created: !existing };
}

/**
 * The account of a coach just added: an existing account with that email (the owner adding
 * themselves, say) is tied to the coach and keeps its password; otherwise a new account is made
 * and its password returned, to be shown once.
 */
export async function accountForNewCoach(
  db: DbOrTx,
  { email, name, coachId }: { email: string; name: string; coachId: number },
): Promise<{ password: string | null }> {
  const address = normaliseEmail(email);
  const existing = db.select({ id: users.id }).from(users).where(eq(users.email, address)).get();
  if (existing) {
    db.update(users).set({ coachId }).where(eq(users.id, existing.id)).run();
    return { password: null };
  }
  const { password } = await createOrResetAccount(db, { email, name, owner: false });
  return { password };
}
