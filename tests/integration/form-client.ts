/**
 * A client that talks to Kairos the way a browser with JavaScript off does: GETs and
 * form-encoded POSTs, cookies kept between requests, redirects visible (and followable).
 */
import { randomInt } from "node:crypto";
export type Page = { status: number; location: string | null; html: string; response: Response };

export class FormClient {
  private cookies = new Map<string, string>();

  /**
   * Each client comes from its own address, as a proxy we trust reports it (servers that should
   * believe it run with TRUST_PROXY=loopback): per-address limits then see one person per client.
   */
  constructor(
    readonly baseUrl: string,
    readonly address = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`,
  ) {}

  /** The same browser (its cookies) talking to another address, e.g. a restarted server. */
  at(baseUrl: string): FormClient {
    const copy = new FormClient(baseUrl, this.address);
    copy.cookies = new Map(this.cookies);
    return copy;
  }

  get cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** The raw Set-Cookie attributes last seen for a cookie, to check its flags. */
  lastSetCookie = new Map<string, string>();

  private remember(response: Response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const [name, ...value] = pair!.split("=");
      this.cookies.set(name!.trim(), value.join("="));
      this.lastSetCookie.set(name!.trim(), header);
    }
  }

  async request(path: string, init: RequestInit = {}): Promise<Page> {
    const url = new URL(path, this.baseUrl);
    const response = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: {
        "X-Forwarded-For": this.address,
        ...(init.headers as Record<string, string>),
        Cookie: this.cookieHeader,
      },
    });
    this.remember(response);
    const location = response.headers.get("location");
    return {
      status: response.status,
      location: location ? new URL(location, url).pathname + new URL(location, url).search : null,
      html: await response.text(),
      response,
    };
  }

  get(path: string) {
    return this.request(path);
  }

  /** A form post; a field given as an array is sent once per value (repeated fields). */
  post(path: string, fields: Record<string, string | string[]>) {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) {
      for (const item of Array.isArray(value) ? value : [value]) body.append(name, item);
    }
    return this.request(path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body,
    });
  }

  /** Follows redirects from a page until one answers without one. */
  async follow(page: Page): Promise<Page> {
    let current = page;
    for (let hops = 0; current.location && hops < 10; hops++)
      current = await this.get(current.location);
    return current;
  }
}

/** The start instants offered on a time page (the open day's), in page order. */
export function offeredStarts(html: string): string[] {
  return [...html.matchAll(/name="startAt"(?: checked="")? value="([^"]+)"/g)].map(
    (match) => match[1]!,
  );
}

/** The links to the week's other days on a time page (days with free times, not the open one). */
export function dayLinks(html: string): string[] {
  return [...html.matchAll(/href="([^"]*[?&;]day=\d{4}-\d{2}-\d{2})"/g)].map((match) =>
    match[1]!.replaceAll("&amp;", "&"),
  );
}

/**
 * Every start a week offers, in time order: the page shows one day at a time, so this opens each
 * of the week's days by its link, as a client would.
 */
export async function weekStarts(client: FormClient, path: string): Promise<string[]> {
  const page = await client.get(path);
  const starts = offeredStarts(page.html);
  for (const link of dayLinks(page.html))
    starts.push(...offeredStarts((await client.get(link)).html));
  return [...new Set(starts)].sort();
}

/** The text of a field's error message, by the field's error id. */
export function errorText(html: string, errorId: string): string | undefined {
  const id = errorId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = html.match(new RegExp(`id="${id}"[^>]*>([^<]*)<`));
  return match?.[1]?.trim() || undefined;
}

/** Whether the radio button with this value is checked (attribute order varies). */
export function isChecked(html: string, value: string): boolean {
  const input = html.match(new RegExp(`<input[^>]*value="${value}"[^>]*>`))?.[0] ?? "";
  return /\schecked=""/.test(input);
}

/** HTML to the text a reader sees: entities decoded, React's text separators dropped. */
export function decodeEntities(text: string) {
  return text
    .replaceAll("<!-- -->", "")
    .replaceAll("&#x27;", "'")
    .replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">");
}
