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
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
  } catch {
    return null;
  }
  return knownZones().get(zone.toLowerCase()) ?? zone;
}

/** Every IANA zone, for a timezone select, with `current` always present. */
export function timezoneOptions(current: string | null): { value: string; label: string }[] {
  const zones = listTimeZones();
  const list = current && !zones.includes(current) ? [current, ...zones] : zones;
  return list.map((zone) => ({ value: zone, label: zone.replaceAll("_", " ") }));
}
