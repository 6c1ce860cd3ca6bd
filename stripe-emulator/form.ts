/**
 * Stripe's request encoding: `application/x-www-form-urlencoded` with bracketed paths, as the
 * official SDKs send it (`line_items[0][price_data][unit_amount]=4500`, `expand[0]=payment_intent`,
 * `expand[]=line_items`, `metadata[booking_id]=...`).
 */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function segmentsOf(key: string): string[] {
  const first = key.indexOf("[");
  if (first === -1) return [key];
  const segments = [key.slice(0, first)];
  for (const match of key.slice(first).matchAll(/\[([^\]]*)\]/g)) segments.push(match[1]!);
  return segments;
}

const isIndex = (segment: string) => segment === "" || /^\d+$/.test(segment);

/** Decodes a form body or query string into nested objects and arrays. */
export function decodeForm(encoded: string | URLSearchParams): FormObject {
  const params = typeof encoded === "string" ? new URLSearchParams(encoded) : encoded;
  const root: FormObject = {};
  for (const [key, value] of params) {
    const segments = segmentsOf(key);
    if (segments.some((segment) => FORBIDDEN_KEYS.has(segment))) continue;
    let container: FormObject | FormValue[] = root;
    segments.forEach((segment, i) => {
      const last = i === segments.length - 1;
      const slot: string | number = Array.isArray(container)
        ? segment === ""
          ? container.length
          : Number(segment)
        : segment;
      if (last) {
        (container as Record<string | number, FormValue>)[slot] = value;
        return;
      }
      const existing = (container as Record<string | number, FormValue>)[slot];
      const next = existing ?? (isIndex(segments[i + 1]!) ? [] : {});
      if (typeof next === "string") return; // a scalar already sits here: ignore the deeper key
      (container as Record<string | number, FormValue>)[slot] = next;
      container = next as FormObject | FormValue[];
    });
  }
  return compactArrays(root) as FormObject;
}

/** `line_items[0]` and `line_items[2]` make a two-element array, as Stripe reads them. */
function compactArrays(value: FormValue): FormValue {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(compactArrays);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compactArrays(v)]));
}
