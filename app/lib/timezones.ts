import { IANAZone } from "luxon";
import { COUNTRY_ZONES, mostUsedZone } from "./zone-countries";

/**
 * IANA zone names as people know them. ICU (in Node and in browsers) still lists and resolves some
 * zones by names the IANA database retired years ago ("Asia/Calcutta", "Europe/Kiev"); clients
 * look for Kolkata and Kyiv. Both spellings name the same rules, so luxon and Intl accept either.
 */
const CURRENT_NAMES: Record<string, string> = {
  "Africa/Asmera": "Africa/Asmara",
  "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
  "America/Catamarca": "America/Argentina/Catamarca",
  "America/Coral_Harbour": "America/Atikokan",
  "America/Cordoba": "America/Argentina/Cordoba",
  "America/Godthab": "America/Nuuk",
  "America/Indianapolis": "America/Indiana/Indianapolis",
  "America/Jujuy": "America/Argentina/Jujuy",
  "America/Louisville": "America/Kentucky/Louisville",
  "America/Mendoza": "America/Argentina/Mendoza",
  "Asia/Calcutta": "Asia/Kolkata",
  "Asia/Katmandu": "Asia/Kathmandu",
  "Asia/Rangoon": "Asia/Yangon",
  "Asia/Saigon": "Asia/Ho_Chi_Minh",
  "Atlantic/Faeroe": "Atlantic/Faroe",
  "Europe/Kiev": "Europe/Kyiv",
  "Pacific/Enderbury": "Pacific/Kanton",
  "Pacific/Ponape": "Pacific/Pohnpei",
  "Pacific/Truk": "Pacific/Chuuk",
};

let known: Map<string, string> | undefined;

/** Every zone by its current name, sorted, for a select. */
export function listTimeZones(): string[] {
  return [...knownZones().values()].filter((zone, i, all) => all.indexOf(zone) === i).sort();
}

function knownZones(): Map<string, string> {
  if (!known) {
    const names = [...Intl.supportedValuesOf("timeZone"), "UTC"].map(
      (zone) => CURRENT_NAMES[zone] ?? zone,
    );
    known = new Map(names.map((zone) => [zone.toLowerCase(), zone]));
    for (const [old, current] of Object.entries(CURRENT_NAMES))
      known.set(old.toLowerCase(), current);
  }
  return known;
}

/**
 * The zone's current IANA name in its proper case ("asia/calcutta" -> "Asia/Kolkata"), a valid alias
 * as given ("US/Eastern"), or null for anything this runtime cannot use.
 */
export function canonicalTimeZone(zone: string): string | null {
  if (zone.length === 0 || zone.length > 64) return null;
  const known = canonicalByName.get(zone);
  if (known) return known;
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
  } catch {
    return null;
  }
  const canonical = knownZones().get(zone.toLowerCase()) ?? zone;
  // Only names that are zones are kept (a few hundred at most): a formatter is costly to make.
  canonicalByName.set(zone, canonical);
  return canonical;
}

const canonicalByName = new Map<string, string>();

/** Every IANA zone, for a timezone select, with `current` always present. */
export function timezoneOptions(current: string | null): { value: string; label: string }[] {
  const zones = listTimeZones();
  const list = current && !zones.includes(current) ? [current, ...zones] : zones;
  return list.map((zone) => ({ value: zone, label: zone.replaceAll("_", " ") }));
}

export type TimezoneOption = { value: string; label: string };
export type TimezoneGroup = { label: string; options: TimezoneOption[] };

/** The first part of a zone's name and the group it is listed under. */
const REGIONS: Readonly<Record<string, string>> = {
  Africa: "Africa",
  America: "Americas",
  Antarctica: "Antarctica",
  // Svalbard (Arctic/Longyearbyen) is Norway's: its people look for it under Europe.
  Arctic: "Europe",
  Asia: "Asia",
  Atlantic: "Atlantic",
  Australia: "Australia",
  Europe: "Europe",
  Indian: "Indian Ocean",
  Pacific: "Pacific",
};
const SUGGESTED = "Suggested";
/** UTC, Etc/GMT+5 and old aliases such as US/Eastern. */
const OTHER = "Other";
const GROUP_ORDER = [...new Set(Object.values(REGIONS))].sort().concat(OTHER);

/**
 * The select's groups: "Suggested" first (`current`, then `suggested`, canonical and each once;
 * left out when empty), then zones by region (Africa, Americas, … Pacific, Other), sorted by
 * label. Suggested zones are listed in their region too, where people look for them. Labels carry
 * the offset at `now` and are unique within a group.
 *
 * Two ways to a shorter list, for pages that must stay small:
 * - `compact` leaves out zones that keep the same time as another zone of their country over the
 *   coming year (Detroit, Indiana/Knox, Belem…), about a quarter of them. The zone kept stands for
 *   them: the one most people use, else a well-known city, else the first in zone.tab's order.
 * - `regions: "suggested"` lists only the regions of the suggested zones (every region when none
 *   is suggested); link to the full list for the rest. `regions: "none"`: the suggested group only.
 * `current` and `suggested` are never left out.
 */
export function timezoneGroups({
  current,
  suggested = [],
  now,
  compact = false,
  regions = "all",
}: {
  current: string | null;
  suggested?: readonly (string | null | undefined)[];
  now: Date | number;
  compact?: boolean;
  regions?: "all" | "suggested" | "none";
}): TimezoneGroup[] {
  const likely = canonicalZones([current, ...suggested]);
  // The likely zones alone: labelling every zone in the world to keep a few would cost a page
  // most of its time.
  if (regions === "none")
    return likely.length
      ? [{ label: SUGGESTED, options: distinctLabels(labelled(likely, now, false)) }]
      : [];
  const twins = compact ? sameTimeTwins(+now) : new Set<string>();
  // Listed zones are canonical already; checking each again would cost a formatter each.
  const listed = [...new Set([...listTimeZones().filter((zone) => !twins.has(zone)), ...likely])];
  const shown =
    regions === "suggested" && likely.length > 0
      ? GROUP_ORDER.filter((region) => likely.some((zone) => regionOf(zone) === region))
      : GROUP_ORDER;
  const groups = [
    { label: SUGGESTED, zones: likely },
    ...shown.map((region) => ({
      label: region,
      zones: listed.filter((zone) => regionOf(zone) === region),
    })),
  ];
  return groups
    .filter((group) => group.zones.length > 0)
    .map((group) => ({
      label: group.label,
      options: distinctLabels(labelled(group.zones, now, group.label !== SUGGESTED)),
    }));
}

/** Each valid zone once, by its current name, in the order given. */
function canonicalZones(zones: readonly (string | null | undefined)[]): string[] {
  const valid = zones.map((zone) => (zone ? canonicalTimeZone(zone) : null));
  return [...new Set(valid.filter((zone): zone is string => zone !== null))];
}

function regionOf(zone: string): string {
  const [area, ...parts] = zone.split("/");
  return parts.length > 0 && Object.hasOwn(REGIONS, area!) ? REGIONS[area!]! : OTHER;
}

const byLabel = new Intl.Collator("en", { numeric: true });

function labelled(zones: string[], now: Date | number, sorted: boolean): TimezoneOption[] {
  const options = zones.map((zone) => ({ value: zone, label: timezoneLabel(zone, now) }));
  return sorted ? options.sort((a, b) => byLabel.compare(a.label, b.label)) : options;
}

/**
 * Two zones that would read the same (UTC and Etc/UTC) are told apart: the first keeps its label,
 * the others add their full names.
 */
function distinctLabels(options: TimezoneOption[]): TimezoneOption[] {
  const seen = new Set<string>();
  return options.map((option) => {
    if (!seen.has(option.label)) {
      seen.add(option.label);
      return option;
    }
    return { ...option, label: `${option.label} – ${option.value.replaceAll("_", " ")}` };
  });
}

/**
 * A zone as people read it in a list: its place and its offset at `now` ("Berlin (GMT+1)",
 * "Kolkata (GMT+5:30)", "London (GMT)", "Buenos Aires, Argentina (GMT-3)"); a zone that is only
 * an offset reads as that offset ("UTC", and "GMT-5" for Etc/GMT+5, whose name has POSIX's sign).
 */
export function timezoneLabel(zone: string, now: Date | number): string {
  const minutes = IANAZone.create(zone).offset(+now);
  if (Number.isNaN(minutes)) return zone; // not a zone this runtime knows: nothing to add
  const offset = gmtOffset(minutes);
  if (FIXED_OFFSET.test(zone)) return offset === "GMT" ? "UTC" : offset;
  return `${placeName(zone)} (${offset})`;
}

const FIXED_OFFSET = /^(Etc\/)?(UTC|UCT|GMT|Greenwich|Universal|Zulu)([+-]?\d{1,2})?$/i;

/** "GMT", "GMT+1", "GMT-3", "GMT+5:30", from minutes east of Greenwich. */
function gmtOffset(minutes: number): string {
  if (minutes === 0) return "GMT";
  const hours = Math.floor(Math.abs(minutes) / 60);
  const rest = Math.abs(minutes) % 60;
  return `GMT${minutes < 0 ? "-" : "+"}${hours}${rest ? `:${String(rest).padStart(2, "0")}` : ""}`;
}

/** "Berlin"; "Buenos Aires, Argentina" for America/Argentina/Buenos_Aires; "US/Eastern" as is. */
function placeName(zone: string): string {
  if (regionOf(zone) === OTHER) return zone.replaceAll("_", " ");
  const [, ...parts] = zone.split("/");
  const city = parts.pop()!;
  return [city, ...parts.reverse()].join(", ").replaceAll("_", " ");
}

/** In a compact list these stand for their twins, rather than the first in zone.tab order. */
const BETTER_KNOWN = new Set([
  "America/Manaus",
  "America/Punta_Arenas",
  "America/Whitehorse",
  "Asia/Yakutsk",
  "Australia/Adelaide",
  "Europe/Samara",
]);

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
let twinsOfDay: { day: number; twins: Set<string> } | undefined;

/**
 * Zones that keep the same time as a zone of their country that stands for them, over the year
 * from `now`'s day. Worked out once a day: about 200 zones share a country with another.
 */
function sameTimeTwins(now: number): Set<string> {
  const day = Math.floor(now / DAY_MS);
  if (twinsOfDay?.day !== day) twinsOfDay = { day, twins: findTwins(day * DAY_MS) };
  return twinsOfDay.twins;
}

function findTwins(from: number): Set<string> {
  const twins = new Set<string>();
  for (const [country, zones] of Object.entries(COUNTRY_ZONES)) {
    const kept = new Set<string>();
    for (const zone of withSameOffset(standingFirst(country, zones), from)) {
      const timeline = yearAhead(zone, from);
      if (kept.has(timeline)) twins.add(zone);
      else kept.add(timeline);
    }
  }
  return twins;
}

function standingFirst(country: string, zones: readonly string[]): string[] {
  const rank = (zone: string) =>
    zone === mostUsedZone(country) ? 0 : BETTER_KNOWN.has(zone) ? 1 : 2;
  // Array#sort is stable, so zone.tab's order decides among equals.
  return [...zones].sort((a, b) => rank(a) - rank(b));
}

/** Only zones sharing today's offset with another can be twins: the rest need no timeline. */
function withSameOffset(zones: string[], from: number): string[] {
  const offsets = zones.map((zone) => IANAZone.create(zone).offset(from));
  return zones.filter((_, i) => offsets.indexOf(offsets[i]!) !== offsets.lastIndexOf(offsets[i]!));
}

/**
 * The zone's offsets over the coming year: weekly, and daily within any week its clocks change,
 * so two zones with equal timelines show the same time on every day of it.
 */
function yearAhead(zone: string, from: number): string {
  const rules = IANAZone.create(zone);
  const weekStarts = Array.from({ length: 54 }, (_, week) => from + week * WEEK_MS);
  const weekly = weekStarts.map((instant) => rules.offset(instant));
  return weekly
    .slice(0, -1)
    .map((offset, week) =>
      offset === weekly[week + 1]
        ? String(offset)
        : Array.from({ length: 7 }, (_, day) =>
            rules.offset(weekStarts[week]! + day * DAY_MS),
          ).join(","),
    )
    .join("|");
}
