/**
 * Display formatting shared by server and browser. Locale is fixed to the practice's language
 * (en-GB) for now so that server and browser render the same text.
 */
const LOCALE = "en-GB";

/**
 * Formatters by currency and fraction digits. Building an Intl.NumberFormat costs far more than
 * using one, and a page formats the same few currencies again and again.
 */
const priceFormats = new Map<string, Intl.NumberFormat>();

function priceFormat(currency: string, minimumFractionDigits?: number): Intl.NumberFormat {
  const key = `${currency}:${minimumFractionDigits ?? ""}`;
  let format = priceFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(LOCALE, { style: "currency", currency, minimumFractionDigits });
    priceFormats.set(key, format);
  }
  return format;
}

const digitsByCurrency = new Map<string, number>();

/** How many digits the currency's minor unit has: 2 for GBP, 0 for JPY. */
export function currencyDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    digits = priceFormat(currency.toUpperCase()).resolvedOptions().maximumFractionDigits ?? 2;
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

/** "Free", "£45", "£45.50", "$120". `amountMinor` is in the currency's minor unit. */
export function formatPrice(amountMinor: number, currency: string): string {
  if (amountMinor === 0) return "Free";
  const digits = currencyDigits(currency);
  const amount = amountMinor / 10 ** digits;
  const whole = Number.isInteger(amount);
  return priceFormat(currency.toUpperCase(), whole ? 0 : digits).format(amount);
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

/** An amount as written in the currency's major unit ("22.50"), without its symbol. */
export function formatAmount(amountMinor: number, currency: string): string {
  return (amountMinor / 10 ** currencyDigits(currency)).toFixed(currencyDigits(currency));
}

/**
 * An amount a person typed ("22.5", "22.50", "£22.50", "1,000.00"), in the currency's minor unit;
 * null when it is not an amount, or has more decimals than the currency has.
 */
export function parseAmount(text: string, currency: string): number | null {
  const digits = currencyDigits(currency);
  const cleaned = text
    .trim()
    .replace(/^[^\d.-]+/, "")
    .replace(/,(?=\d{3}\b)/g, "");
  const match = cleaned.match(/^(\d{1,9})(?:\.(\d+))?$/);
  if (!match) return null;
  const fraction = match[2] ?? "";
  if (fraction.length > digits) return null;
  return Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, "0") || 0);
}
