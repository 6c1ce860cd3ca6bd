/**
 * The site's icons, as a browser finds them: every icon and manifest the home page links to is
 * served with its content type (PNGs really PNG, at the size the link or manifest promises), so is
 * /favicon.ico (asked for unlinked), the manifest names the icons an installed site needs and they
 * are served too, and the committed files are what scripts/make-icons.mjs draws from
 * public/favicon.svg and the stylesheet today.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drawMark, ICONS, manifest, readMark } from "../../scripts/make-icons.mjs";
import { startServer, type RunningServer } from "../server-harness";

const publicDir = fileURLToPath(new URL("../../public/", import.meta.url));

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.stop());

type Link = { rel: string; href: string; type?: string; sizes?: string };

/** The `<link>`s of a page whose rel is one of `rels`, with their attributes. */
function linksOf(html: string, rels: string[]): Link[] {
  return [...html.matchAll(/<link\b([^>]*)\/?>/g)]
    .map(
      ([, attributes]) =>
        Object.fromEntries(
          [...attributes!.matchAll(/([\w-]+)="([^"]*)"/g)].map(([, name, value]) => [name, value]),
        ) as Link,
    )
    .filter((link) => rels.includes(link.rel));
}

/** Width and height from a PNG's header, or null for anything that is not a PNG. */
function pngSize(bytes: Buffer): { width: number; height: number } | null {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!bytes.subarray(0, 8).equals(signature) || bytes.toString("latin1", 12, 16) !== "IHDR")
    return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/**
 * The RGBA pixels of an 8-bit RGBA PNG, whichever row filters its encoder chose, so the check
 * below compares pictures, not one zlib's bytes.
 */
function pngPixels(bytes: Buffer): Buffer {
  const { width, height } = pngSize(bytes)!;
  expect([bytes[24], bytes[25], bytes[28]]).toEqual([8, 6, 0]); // 8-bit, RGBA, not interlaced
  const idat: Buffer[] = [];
  for (let at = 8; at < bytes.length;) {
    const length = bytes.readUInt32BE(at);
    if (bytes.toString("latin1", at + 4, at + 8) === "IDAT")
      idat.push(bytes.subarray(at + 8, at + 8 + length));
    at += length + 12;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const pixels = Buffer.alloc(stride * height);
  for (let row = 0; row < height; row++) {
    const filter = raw[row * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const x = raw[row * (stride + 1) + 1 + i]!;
      const left = i >= 4 ? pixels[row * stride + i - 4]! : 0;
      const up = row > 0 ? pixels[(row - 1) * stride + i]! : 0;
      const upLeft = row > 0 && i >= 4 ? pixels[(row - 1) * stride + i - 4]! : 0;
      const paeth = () => {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      };
      const predicted = [0, left, up, Math.floor((left + up) / 2), filter === 4 ? paeth() : 0][
        filter
      ]!;
      pixels[row * stride + i] = (x + predicted) & 0xff;
    }
  }
  return pixels;
}

const CONTENT_TYPES: Record<string, RegExp> = {
  "image/svg+xml": /^image\/svg\+xml\b/,
  "image/png": /^image\/png$/,
  manifest: /^application\/manifest\+json\b/,
};

describe("icons", () => {
  it("serves every icon the home page links to, of the type and size the link says", async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    const links = linksOf(html, ["icon", "apple-touch-icon", "manifest"]);
    // What each kind of browser looks for: an SVG, a small PNG, iOS's 180×180, a manifest.
    expect(links).toEqual(
      expect.arrayContaining([
        { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
        { rel: "icon", href: "/favicon-32.png", type: "image/png", sizes: "32x32" },
        { rel: "apple-touch-icon", href: "/apple-touch-icon.png", sizes: "180x180" },
        { rel: "manifest", href: "/site.webmanifest" },
      ]),
    );

    for (const link of links) {
      const response = await fetch(new URL(link.href, server.url));
      expect(response.status, link.href).toBe(200);
      const expectedType =
        link.rel === "manifest"
          ? "manifest"
          : (link.type ?? (/\.png$/.test(link.href) ? "image/png" : ""));
      expect(response.headers.get("content-type"), link.href).toMatch(CONTENT_TYPES[expectedType]!);
      const body = Buffer.from(await response.arrayBuffer());
      if (expectedType === "image/png") {
        const [width, height] = (link.sizes ?? "").split("x").map(Number);
        expect(pngSize(body), link.href).toEqual({ width, height });
      }
      if (expectedType === "image/svg+xml") expect(body.toString()).toMatch(/^<svg\b/);
    }
  });

  it("serves /favicon.ico, which browsers ask for on pages that link no icon: the 32×32 PNG inside", async () => {
    const response = await fetch(`${server.url}/favicon.ico`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/x-icon");
    const ico = Buffer.from(await response.arrayBuffer());
    // An icon directory with one 32×32 entry whose data, right after it, is the PNG itself.
    expect([ico.readUInt16LE(2), ico.readUInt16LE(4), ico[6], ico[7]]).toEqual([1, 1, 32, 32]);
    expect(ico.readUInt32LE(18)).toBe(22);
    const png = ico.subarray(22);
    expect(ico.readUInt32LE(14)).toBe(png.length);
    const servedPng = await fetch(`${server.url}/favicon-32.png`);
    expect(png.equals(Buffer.from(await servedPng.arrayBuffer()))).toBe(true);
  });

  it("serves a manifest whose icons exist, at their sizes, with the stylesheet's brand colour", async () => {
    const response = await fetch(`${server.url}/site.webmanifest`);
    expect(response.status).toBe(200);
    const served = (await response.json()) as {
      name: string;
      short_name: string;
      theme_color: string;
      icons: { src: string; sizes: string; type: string }[];
    };
    expect(served).toMatchObject({ name: "Kairos", short_name: "Kairos", start_url: "/" });
    const css = readFileSync(new URL("../../app/styles/app.css", import.meta.url), "utf8");
    expect(css).toContain(`--brand: ${served.theme_color};`);
    expect(served.icons.map((icon) => icon.sizes).sort()).toEqual(["192x192", "512x512"]);

    for (const icon of served.icons) {
      const image = await fetch(new URL(icon.src, server.url));
      expect(image.status, icon.src).toBe(200);
      expect(icon.type).toBe("image/png");
      expect(image.headers.get("content-type"), icon.src).toBe("image/png");
      const [width, height] = icon.sizes.split("x").map(Number);
      expect(pngSize(Buffer.from(await image.arrayBuffer())), icon.src).toEqual({ width, height });
    }
  });

  it("has committed exactly what scripts/make-icons.mjs draws now (run it after changing the mark)", () => {
    const mark = readMark();
    for (const icon of ICONS) {
      const committed = readFileSync(`${publicDir}${icon.file}`);
      expect(pngSize(committed), icon.file).toEqual({ width: icon.size, height: icon.size });
      expect(pngPixels(committed).equals(drawMark(mark, icon.size, icon)), icon.file).toBe(true);
    }
    expect(readFileSync(`${publicDir}favicon.ico`).subarray(22)).toEqual(
      readFileSync(`${publicDir}favicon-32.png`),
    );
    expect(JSON.parse(readFileSync(`${publicDir}site.webmanifest`, "utf8"))).toEqual(manifest());
  });
});
