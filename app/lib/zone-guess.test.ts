import { IANAZone } from "luxon";
import { describe, expect, it } from "vitest";
import { canonicalTimeZone } from "./timezones";
import { COUNTRIES_WITH_SEVERAL_TIMES, COUNTRY_ZONES, mostUsedZone } from "./zone-countries";
import { guessFromAcceptLanguage, guessZoneFromAcceptLanguage } from "./zone-guess";

describe("guessZoneFromAcceptLanguage", () => {
  it.each([
    ["de-DE", "Europe/Berlin"],
    ["en-GB,en;q=0.9", "Europe/London"],
    ["EN-gb", "Europe/London"],
    ["pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7", "America/Sao_Paulo"],
    ["en-IN", "Asia/Kolkata"],
    ["uk-UA", "Europe/Kyiv"],
    ["en-UK", "Europe/London"], // not ISO, but sent
    // Script subtags come before the region.
    ["zh-Hant-TW", "Asia/Taipei"],
    ["sr-Latn-RS", "Europe/Belgrade"],
    ["sq-XK", "Europe/Belgrade"], // Kosovo has no zone of its own
    // Extensions after the region do not hide it.
    ["th-TH-u-nu-thai", "Asia/Bangkok"],
  ])("%s -> %s", (header, zone) => {
    expect(guessZoneFromAcceptLanguage(header)).toBe(zone);
  });

  it("takes the most preferred language first, whatever the order written", () => {
    expect(guessZoneFromAcceptLanguage("fr;q=0.5, de-CH;q=0.9")).toBe("Europe/Zurich");
    expect(guessZoneFromAcceptLanguage("en-US;q=0.1, ja-JP;q=0.8, ko-KR;q=0.3")).toBe("Asia/Tokyo");
    // No weight is 1, the most.
    expect(guessZoneFromAcceptLanguage("es-ES;q=0.9, it-IT")).toBe("Europe/Rome");
  });

  it("keeps the header's order between equal weights", () => {
    expect(guessZoneFromAcceptLanguage("en-AU, en-NZ")).toBe("Australia/Sydney");
    expect(guessZoneFromAcceptLanguage("en-NZ;q=0.8, en-AU;q=0.8")).toBe("Pacific/Auckland");
  });

  it("skips languages without a country, areas such as 419, and countries it does not know", () => {
    expect(guessZoneFromAcceptLanguage("es-419, es-MX;q=0.8")).toBe("America/Mexico_City");
    expect(guessZoneFromAcceptLanguage("en, fr-CA;q=0.5")).toBe("America/Toronto");
    expect(guessZoneFromAcceptLanguage("en-ZZ, de-AT;q=0.5")).toBe("Europe/Vienna");
  });

  it.each([
    [null],
    [undefined],
    [""],
    ["en"],
    ["*"],
    ["es-419"],
    ["en-ZZ"], // no such country
    ["en-AQ"], // Antarctica: no zone most people use
    ["de-DE;q=0"], // q=0: not wanted at all
    ["de-DE;q=2"],
    ["de-DE;q=abc"],
    ["de-DE;q=0.12345"],
    [";;;,,,q="],
    ["de_DE"],
    ["<script>alert(1)</script>"],
    ["x-private-DE"], // private use: not a country
    ["en-\u0000GB"],
    ["de-DE-" + "a".repeat(5000)],
  ])("finds nothing in %j", (header) => {
    expect(guessZoneFromAcceptLanguage(header)).toBeNull();
  });

  it("reads only the first 512 characters and 20 languages", () => {
    const far = `en${" ".repeat(600)}`;
    expect(guessZoneFromAcceptLanguage(`${far},de-DE`)).toBeNull();
    expect(guessZoneFromAcceptLanguage(`de-DE,${far}`)).toBe("Europe/Berlin");
    const many = Array.from({ length: 20 }, () => "en").join(",");
    expect(guessZoneFromAcceptLanguage(`${many},de-DE`)).toBeNull();
    expect(guessZoneFromAcceptLanguage(`${many.slice(3)},de-DE`)).toBe("Europe/Berlin");
  });

  it("reads a huge header quickly", () => {
    const started = performance.now();
    expect(guessZoneFromAcceptLanguage(`${"fr,".repeat(1_000_000)}de-DE`)).toBeNull();
    expect(performance.now() - started).toBeLessThan(50);
  });
});

describe("guessFromAcceptLanguage", () => {
  it("says whether the country keeps one time", () => {
    expect(guessFromAcceptLanguage("de-DE")).toEqual({
      zone: "Europe/Berlin",
      country: "DE",
      certain: true,
    });
    expect(guessFromAcceptLanguage("en-US")).toEqual({
      zone: "America/New_York",
      country: "US",
      certain: false,
    });
    // Argentina has a dozen zones, all at -3 all year.
    expect(guessFromAcceptLanguage("es-AR")?.certain).toBe(true);
    // Spain has the Canaries, an hour behind.
    expect(guessFromAcceptLanguage("es-ES")?.certain).toBe(false);
  });
});

describe("the zone each country is guessed to use", () => {
  it.each([
    ["US", "America/New_York"],
    ["CA", "America/Toronto"],
    ["MX", "America/Mexico_City"],
    ["BR", "America/Sao_Paulo"],
    ["AR", "America/Argentina/Buenos_Aires"],
    ["CL", "America/Santiago"],
    ["CO", "America/Bogota"],
    ["PE", "America/Lima"],
    ["GB", "Europe/London"],
    ["IE", "Europe/Dublin"],
    ["CH", "Europe/Zurich"],
    ["NO", "Europe/Oslo"],
    ["IS", "Atlantic/Reykjavik"],
    ["UA", "Europe/Kyiv"],
    ["RU", "Europe/Moscow"],
    ["TR", "Europe/Istanbul"],
    ["IL", "Asia/Jerusalem"],
    ["AE", "Asia/Dubai"],
    ["SA", "Asia/Riyadh"],
    ["EG", "Africa/Cairo"],
    ["NG", "Africa/Lagos"],
    ["KE", "Africa/Nairobi"],
    ["ZA", "Africa/Johannesburg"],
    ["IN", "Asia/Kolkata"],
    ["PK", "Asia/Karachi"],
    ["BD", "Asia/Dhaka"],
    ["CN", "Asia/Shanghai"],
    ["HK", "Asia/Hong_Kong"],
    ["TW", "Asia/Taipei"],
    ["JP", "Asia/Tokyo"],
    ["KR", "Asia/Seoul"],
    ["SG", "Asia/Singapore"],
    ["MY", "Asia/Kuala_Lumpur"],
    ["ID", "Asia/Jakarta"],
    ["PH", "Asia/Manila"],
    ["TH", "Asia/Bangkok"],
    ["VN", "Asia/Ho_Chi_Minh"],
    ["AU", "Australia/Sydney"],
    ["NZ", "Pacific/Auckland"],
  ])("%s -> %s", (country, zone) => {
    expect(mostUsedZone(country)).toBe(zone);
  });

  it.each([
    ["AT", "Europe/Vienna"],
    ["BE", "Europe/Brussels"],
    ["BG", "Europe/Sofia"],
    ["CY", "Asia/Nicosia"],
    ["CZ", "Europe/Prague"],
    ["DE", "Europe/Berlin"],
    ["DK", "Europe/Copenhagen"],
    ["EE", "Europe/Tallinn"],
    ["ES", "Europe/Madrid"],
    ["FI", "Europe/Helsinki"],
    ["FR", "Europe/Paris"],
    ["GR", "Europe/Athens"],
    ["HR", "Europe/Zagreb"],
    ["HU", "Europe/Budapest"],
    ["IE", "Europe/Dublin"],
    ["IT", "Europe/Rome"],
    ["LT", "Europe/Vilnius"],
    ["LU", "Europe/Luxembourg"],
    ["LV", "Europe/Riga"],
    ["MT", "Europe/Malta"],
    ["NL", "Europe/Amsterdam"],
    ["PL", "Europe/Warsaw"],
    ["PT", "Europe/Lisbon"],
    ["RO", "Europe/Bucharest"],
    ["SE", "Europe/Stockholm"],
    ["SI", "Europe/Ljubljana"],
    ["SK", "Europe/Bratislava"],
  ])("%s, in the EU, -> %s", (country, zone) => {
    expect(mostUsedZone(country)).toBe(zone);
  });

  it("covers every country with a zone, well beyond 80", () => {
    const guessable = Object.keys(COUNTRY_ZONES).filter((country) => mostUsedZone(country));
    expect(guessable.length).toBeGreaterThan(200);
    // Only places without residents to speak of have no zone to guess.
    const none = Object.keys(COUNTRY_ZONES).filter((country) => !mostUsedZone(country));
    expect(none.sort()).toEqual(["AQ", "UM"]);
  });

  it("guesses only zones this runtime accepts, by their current names, in the right country", () => {
    for (const country of [...Object.keys(COUNTRY_ZONES), "XK"]) {
      const zone = mostUsedZone(country);
      if (!zone) continue;
      expect(canonicalTimeZone(zone), country).toBe(zone);
      if (country !== "XK") expect(COUNTRY_ZONES[country], country).toContain(zone);
    }
  });

  it("finds nothing for names that are not countries", () => {
    for (const name of ["ZZ", "constructor", "__proto__", "toString", ""])
      expect(mostUsedZone(name)).toBeNull();
  });

  it("marks exactly the countries whose zones keep different times through 2026", () => {
    const days = Array.from(
      { length: 365 },
      (_, day) => Date.UTC(2026, 0, 1, 12) + day * 86_400_000,
    );
    const timeline = (zone: string) => days.map((day) => IANAZone.create(zone).offset(day)).join();
    const several = Object.entries(COUNTRY_ZONES)
      .filter(([, zones]) => zones.length > 1 && new Set(zones.map(timeline)).size > 1)
      .map(([country]) => country);
    expect(several.sort()).toEqual([...COUNTRIES_WITH_SEVERAL_TIMES].sort());
  });
});
