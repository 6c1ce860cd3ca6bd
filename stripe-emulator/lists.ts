/**
 * Stripe's list endpoints, the same for every resource: `{object: "list", data, has_more, url}`,
 * newest first, `limit` from 1 to 100 (10 by default), `starting_after`/`ending_before` cursors
 * by object id, `created` as one second or a range, and `expand` on the items (`data.<field>`).
 * Each resource adds its own filters; this file knows nothing of them.
 */
import { invalidRequest, noSuch } from "./errors";
import type { FormObject, FormValue } from "./form";

export type StripeList<T> = { object: "list"; data: T[]; has_more: boolean; url: string };

/** An object with its creation sequence, which orders objects created in the same second. */
export type Sequenced<T extends { id: string; created: number }> = { item: T; seq: number };

export type ListQuery = {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
  /** Whether a `created` time is inside the requested second or range. */
  createdMatches: (created: number) => boolean;
  /** What to expand on each item, without the `data.` prefix. */
  expand: string[];
};

export type ListSpec = {
  /** The resource's own filters, which the caller reads and applies. */
  filters: string[];
  /** Filters Stripe has that the emulator does not: refused by name, never silently ignored. */
  notEmulated: string[];
  /** Item fields the emulator can expand. */
  expandable: string[];
};

const COMMON_PARAMS = ["created", "ending_before", "expand", "limit", "starting_after"];
const RANGE_KEYS = ["gt", "gte", "lt", "lte"] as const;
const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;

/** Reads and validates the parameters every list shares, with Stripe's messages. */
export function parseListQuery(params: FormObject, spec: ListSpec): ListQuery {
  for (const name of Object.keys(params)) {
    if (spec.notEmulated.includes(name)) {
      throw invalidRequest(`The emulator does not support the ${name} filter on this list.`, name);
    }
    if (!COMMON_PARAMS.includes(name) && !spec.filters.includes(name)) {
      throw invalidRequest(`Received unknown parameter: ${name}`, name, "parameter_unknown");
    }
  }
  const startingAfter = cursorParam(params, "starting_after");
  const endingBefore = cursorParam(params, "ending_before");
  if (startingAfter && endingBefore) {
    throw invalidRequest(
      "You may only specify one of these parameters: ending_before, starting_after.",
      "ending_before",
    );
  }
  return {
    limit: parseLimit(params.limit),
    startingAfter,
    endingBefore,
    createdMatches: parseCreated(params.created),
    expand: parseItemExpand(params.expand, spec.expandable),
  };
}

/**
 * One page, newest first. Objects are ordered by `created` and then by creation sequence, so a
 * page boundary between objects of the same second neither skips nor repeats one. The cursor is
 * looked up among all objects of the kind (it need not match the filters, as on Stripe), and the
 * page starts next to its place in that order.
 */
export function paginate<T extends { id: string; created: number }>(
  all: Sequenced<T>[],
  query: ListQuery,
  options: { url: string; kind: string; matches: (item: T) => boolean },
): StripeList<T> {
  const cursorParamName = query.startingAfter ? "starting_after" : "ending_before";
  const cursorId = query.startingAfter ?? query.endingBefore;
  const cursor = cursorId === undefined ? undefined : all.find((e) => e.item.id === cursorId);
  if (cursorId !== undefined && !cursor) {
    throw noSuch(options.kind, cursorId, cursorParamName, 400);
  }
  const matching = [...all]
    .sort(newestFirst)
    .filter((entry) => options.matches(entry.item) && query.createdMatches(entry.item.created));
  let candidates = matching;
  if (cursor && query.startingAfter)
    candidates = matching.filter((e) => newestFirst(e, cursor) > 0);
  if (cursor && query.endingBefore) candidates = matching.filter((e) => newestFirst(e, cursor) < 0);
  // Before a cursor, the page is the `limit` objects nearest to it (the end of the candidates),
  // still newest first; `has_more` then says whether newer ones remain.
  const page = query.endingBefore
    ? candidates.slice(Math.max(0, candidates.length - query.limit))
    : candidates.slice(0, query.limit);
  return {
    object: "list",
    data: page.map((entry) => entry.item),
    has_more: candidates.length > query.limit,
    url: options.url,
  };
}

type Ordered = { item: { created: number }; seq: number };

function newestFirst(a: Ordered, b: Ordered) {
  return b.item.created - a.item.created || b.seq - a.seq;
}

function cursorParam(params: FormObject, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string") throw invalidRequest(`Invalid ${name}: must be a string`, name);
  return value;
}

function parseLimit(value: FormValue | undefined): number {
  if (value === undefined || value === "") return DEFAULT_LIMIT;
  if (typeof value !== "string" || !/^-?\d+$/.test(value)) {
    throw invalidRequest(`Invalid integer: ${String(value)}`, "limit", "parameter_invalid_integer");
  }
  const limit = Number(value);
  if (limit < 1) throw invalidRequest("This value must be greater than or equal to 1.", "limit");
  if (limit > MAX_LIMIT) {
    throw invalidRequest(`This value must be less than or equal to ${MAX_LIMIT}.`, "limit");
  }
  return limit;
}

/** `created=<ts>` is that second; `created[gt|gte|lt|lte]=<ts>` bound a range. */
function parseCreated(value: FormValue | undefined): (created: number) => boolean {
  if (value === undefined || value === "") return () => true;
  if (typeof value === "string") {
    const at = parseTimestamp(value, "created");
    return (created) => created === at;
  }
  if (Array.isArray(value)) {
    throw invalidRequest("Invalid created: must be an integer or a hash", "created");
  }
  const bounds: Partial<Record<(typeof RANGE_KEYS)[number], number>> = {};
  for (const [key, bound] of Object.entries(value)) {
    const param = `created[${key}]`;
    if (!(RANGE_KEYS as readonly string[]).includes(key)) {
      throw invalidRequest(`Received unknown parameter: ${param}`, param, "parameter_unknown");
    }
    if (typeof bound !== "string") throw invalidRequest("Invalid integer", param);
    bounds[key as (typeof RANGE_KEYS)[number]] = parseTimestamp(bound, param);
  }
  const { gt, gte, lt, lte } = bounds;
  return (created) =>
    (gt === undefined || created > gt) &&
    (gte === undefined || created >= gte) &&
    (lt === undefined || created < lt) &&
    (lte === undefined || created <= lte);
}

function parseTimestamp(value: string, param: string): number {
  if (!/^\d+$/.test(value)) {
    throw invalidRequest(`Invalid integer: ${value}`, param, "parameter_invalid_integer");
  }
  return Number(value);
}

/**
 * On a list, `expand` names fields of the items (`data.payment_intent`): the list itself has
 * nothing to expand. Fields the emulator cannot expand are refused rather than returned as ids,
 * which would only fail later, in the code under test.
 */
function parseItemExpand(value: FormValue | undefined, expandable: string[]): string[] {
  if (value === undefined || value === "") return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => {
    if (typeof item !== "string") throw invalidRequest("Invalid array", "expand");
    if (!item.startsWith("data.")) {
      throw invalidRequest(
        `This property cannot be expanded (${item}). You may want to try expanding 'data.${item}' instead.`,
        "expand",
      );
    }
    const field = item.slice("data.".length);
    if (!expandable.includes(field)) {
      throw invalidRequest(`This property cannot be expanded (${item}).`, "expand");
    }
    return field;
  });
}
