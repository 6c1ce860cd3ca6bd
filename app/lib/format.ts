/**
 * Display formatting shared by server and browser. Locale is fixed to the practice's language
 * (en-GB) for now so that server and browser render the same text.
 */
const LOCALE = "en-GB";

/** "Free", "£45", "£45.50", "$120". `amountMinor` is in the currency's minor unit. */
export function formatPrice(amountMinor: number, currency: string): string {
  if (amountMinor === 0) return "Free";
  const formatter = new Intl.NumberFormat(LOCALE, {
    style: "currency",
    currency: currency.toUpperCase(),
  });
  const digits = formatter.resolvedOptions().maximumFractionDigits ?? 2;
  const amount = amountMinor / 10 ** digits;
  const whole = Number.isInteger(amount);
  return new Intl.NumberFormat(LOCALE, {
    style: "currency",
    currency: currency.toUpperCase(),
    minimumFractionDigits: whole ? 0 : digits,
  }).format(amount);
}

/** "15 minutes", "1 hour", "1 hour 30 minutes". */
export function formatDuration(totalMinutes: number): string {
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  const parts = [
    hours > 0 ? `${hours} ${hours === 1 ? "hour" : "hours"}` : "",
    minutes > 0 ? `${minutes} ${minutes === 1 ? "minute" : "minutes"}` : "",
  ];
  return parts.filter(Boolean).join(" ") || "0 minutes";
}

/** "Europe/London" -> "London", "America/New_York" -> "New York": the city a zone is named for. */
export function timezoneCity(zone: string): string {
  return (zone.split("/").pop() ?? zone).replaceAll("_", " ");
}
