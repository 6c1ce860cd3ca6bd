import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type Db } from "~db/database.server";
import {
  DRAFT_LIFETIME_MS,
  findOpenDraft,
  newDraftId,
  saveDraft,
  sweepExpiredDrafts,
} from "./drafts.server";

let db: Db;
afterEach(() => db?.$client.close());

function freshDb() {
  db = openDatabase(join(mkdtempSync(join(tmpdir(), "kairos-drafts-")), "kairos.db"));
  migrateDatabase(db);
  return db;
}

const at = (iso: string) => new Date(iso);

describe("drafts", () => {
  it("have ids of 192 random bits", () => {
    const ids = new Set(Array.from({ length: 100 }, newDraftId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(Buffer.from(id, "base64url")).toHaveLength(24);
  });

  it("live 24 hours after their last change", () => {
    const db = freshDb();
    const draft = saveDraft(db, null, { clientName: "Ada" }, at("2027-03-14T10:00:00Z"));
    expect(draft.expiresAt.getTime()).toBe(
      at("2027-03-14T10:00:00Z").getTime() + DRAFT_LIFETIME_MS,
    );
    saveDraft(db, draft.id, { clientEmail: "ada@example.com" }, at("2027-03-15T09:00:00Z"));
    expect(findOpenDraft(db, draft.id, at("2027-03-16T08:59:00Z"))).toMatchObject({
      clientName: "Ada",
      clientEmail: "ada@example.com",
    });
    expect(findOpenDraft(db, draft.id, at("2027-03-16T09:00:01Z"))).toBeNull();
  });

  it("start afresh when the old one has expired", () => {
    const db = freshDb();
    const old = saveDraft(db, null, { clientName: "Ada" }, at("2027-03-14T10:00:00Z"));
    const fresh = saveDraft(db, old.id, { clientName: "Grace" }, at("2027-03-16T10:00:00Z"));
    expect(fresh.id).not.toBe(old.id);
    expect(fresh.clientEmail).toBeNull();
  });

  it("are swept once expired, and only then", () => {
    const db = freshDb();
    const kept = saveDraft(db, null, {}, at("2027-03-15T10:00:00Z"));
    saveDraft(db, null, {}, at("2027-03-14T09:00:00Z"));
    expect(sweepExpiredDrafts(db, at("2027-03-15T10:00:00Z"))).toBe(1);
    expect(sweepExpiredDrafts(db, at("2027-03-15T10:00:00Z"))).toBe(0);
    expect(findOpenDraft(db, kept.id, at("2027-03-15T10:00:00Z"))).not.toBeNull();
  });
});
