/**
 * What a browser downloads for a page: the HTML (as sent, and decoded) and every JavaScript file
 * the page loads at once (its module preloads, script tags and inline module imports, and their
 * static imports in turn), each measured gzipped (level 9) by node:zlib whatever the server sent.
 */
import http from "node:http";
import { brotliDecompressSync, gunzipSync, gzipSync, inflateSync } from "node:zlib";
import { BROWSER_HEADERS } from "./load.mjs";

/** A GET over node:http, to see the bytes on the wire: `raw` as sent, `body` decoded. */
export function rawGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { ...BROWSER_HEADERS, ...headers } }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () => {
        const raw = Buffer.concat(chunks);
        const encoding = response.headers["content-encoding"] ?? null;
        const decode = { gzip: gunzipSync, br: brotliDecompressSync, deflate: inflateSync }[
          encoding ?? ""
        ];
        resolve({
          status: response.statusCode,
          encoding,
          raw,
          body: decode ? decode(raw) : raw,
        });
      });
      response.on("error", reject);
    });
    request.on("error", reject);
  });
}

const attribute = (tag, name) =>
  tag
    .match(new RegExp(`\\b${name}=(?:"([^"]*)"|'([^']*)')`, "i"))
    ?.slice(1)
    .find(Boolean);

/** The scripts a page loads at once: module preloads, `<script src>`, inline module imports. */
export function pageScripts(html) {
  const found = new Set();
  for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
    if (/^modulepreload$/i.test(attribute(tag, "rel") ?? "")) found.add(attribute(tag, "href"));
  }
  for (const [, attributes, body] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const src = attribute(attributes, "src");
    if (src) found.add(src);
    else if (/type=["']?module/i.test(attributes)) {
      for (const [, spec] of body.matchAll(
        /\bimport\s*(?:[\w*${}\s,]+from\s*)?\(?\s*["']([^"']+)["']/g,
      ))
        found.add(spec);
    }
  }
  return [...found].filter(Boolean);
}

/** The entry module and its imports, from the manifest Remix inlines: the floor every page pays. */
export function entryScripts(html) {
  const entry = html.match(/"entry":\s*\{\s*"module":\s*"([^"]+)",\s*"imports":\s*\[([^\]]*)\]/);
  if (!entry) return [];
  return [entry[1], ...[...entry[2].matchAll(/"([^"]+)"/g)].map((m) => m[1])];
}

/** A JavaScript file's static imports (not its dynamic ones: those load later, if ever). */
const staticImports = (code) =>
  [...code.matchAll(/\b(?:import|export)\s*(?:[\w*${}\s,]+from\s*)?["']([^"'\s]+\.m?js)["']/g)].map(
    (m) => m[1],
  );

/**
 * Fetches each script and its static imports once; the total gzipped size and the files, with
 * whether the server itself sent them compressed. `cache` is shared between pages.
 */
export async function scriptWeight(baseUrl, pageUrl, scripts, cache) {
  const files = new Map();
  const queue = scripts.map((src) => new URL(src, pageUrl).href);
  while (queue.length > 0) {
    const url = queue.shift();
    if (files.has(url) || !url.startsWith(baseUrl)) continue;
    if (!cache.has(url)) {
      const response = await rawGet(url);
      if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
      cache.set(url, {
        gzip: gzipSync(response.body, { level: 9 }).length,
        bytes: response.body.length,
        sentAs: response.encoding ?? "identity",
        imports: staticImports(response.body.toString("utf8")).map(
          (spec) => new URL(spec, url).href,
        ),
      });
    }
    const file = cache.get(url);
    files.set(url, file);
    queue.push(...file.imports);
  }
  const all = [...files.values()];
  return {
    gzip: all.reduce((sum, file) => sum + file.gzip, 0),
    bytes: all.reduce((sum, file) => sum + file.bytes, 0),
    files: files.size,
    sentAs: [...new Set(all.map((file) => file.sentAs))],
  };
}
