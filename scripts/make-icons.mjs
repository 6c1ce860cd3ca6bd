/**
 * Draws the PNG icons and writes the web app manifest from public/favicon.svg, so every icon shows
 * the same mark: browsers without SVG favicons, iOS home screens (which want a 180×180 PNG) and
 * Android's installed-site icons (192 and 512, named in the manifest) all need pixels.
 *
 *   node scripts/make-icons.mjs    # rewrites public/*.png, favicon.ico and site.webmanifest
 *
 * No dependencies and no network: the mark is simple enough (one circle, one open polyline with
 * round caps) to draw by hand, with each pixel's colour the average of 8×8 samples inside it, and
 * PNG is a signature and three chunks, the pixels deflated with node:zlib. Run it again after
 * changing the SVG or the brand colour; tests/integration/icons.test.ts fails until you do.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { crc32, deflateSync } from "node:zlib";

const root = fileURLToPath(new URL("..", import.meta.url));
const SAMPLES = 8;

/** What favicon.svg draws, read from it: anything richer than the mark it has now is refused. */
export function readMark(svg = readFileSync(`${root}public/favicon.svg`, "utf8")) {
  const attrs = (tag) => {
    const element = svg.match(new RegExp(`<${tag}\\b([^>]*)/>`))?.[1];
    if (!element) throw new Error(`favicon.svg has no <${tag}/>: teach make-icons.mjs to draw it`);
    return Object.fromEntries(
      [...element.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
  };
  const viewBox = svg.match(/viewBox="0 0 (\d+) (\d+)"/);
  if (!viewBox || viewBox[1] !== viewBox[2])
    throw new Error("favicon.svg: expected a square viewBox");
  const circle = attrs("circle");
  const path = attrs("path");
  if (path["stroke-linecap"] !== "round")
    throw new Error("favicon.svg: expected round line caps on the path");
  return {
    size: Number(viewBox[1]),
    circle: { cx: +circle.cx, cy: +circle.cy, r: +circle.r, fill: hex(circle.fill) },
    line: { points: polyline(path.d), width: +path["stroke-width"], stroke: hex(path.stroke) },
  };
}

/** The points of one open line: a path of a single M then L, H and V (absolute or relative). */
function polyline(d) {
  if (!/^\s*M[^Mm]*$/.test(d) || /[^MLHVlhv\d\s,.-]/.test(d))
    throw new Error(`favicon.svg: make-icons.mjs draws one line of M, L, H and V only, not "${d}"`);
  const points = [];
  let [x, y] = [0, 0];
  for (const [, command, args] of d.matchAll(/([MLHVlhv])([^MLHVlhv]*)/g)) {
    const n = args
      .trim()
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number);
    const kind = command.toLowerCase();
    const relative = command === kind;
    const step = kind === "h" || kind === "v" ? 1 : 2;
    if (n.length === 0 || n.length % step !== 0) throw new Error(`favicon.svg: bad path "${d}"`);
    for (let i = 0; i < n.length; i += step) {
      if (kind === "h") x = relative ? x + n[i] : n[i];
      else if (kind === "v") y = relative ? y + n[i] : n[i];
      else [x, y] = relative ? [x + n[i], y + n[i + 1]] : [n[i], n[i + 1]];
      points.push([x, y]);
    }
  }
  return points;
}

/** [r, g, b] of "#rgb" or "#rrggbb". */
function hex(colour) {
  const digits = colour?.match(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i)?.[1];
  if (!digits)
    throw new Error(`make-icons.mjs reads #rgb and #rrggbb colours only, not "${colour}"`);
  const full = digits.length === 3 ? [...digits].map((d) => d + d).join("") : digits;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16));
}

function distanceToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/**
 * RGBA pixels of the mark at `size`×`size`. `fullBleed` paints the whole square in the circle's
 * colour instead of the circle alone: iOS shows a home-screen icon's transparent corners as black
 * and rounds the square itself. The join of the two strokes is drawn round; the SVG's miter join
 * differs by a sliver too small to see at these sizes.
 */
export function drawMark(mark, size, { fullBleed = false } = {}) {
  const pixels = Buffer.alloc(size * size * 4);
  const scale = mark.size / size;
  const { circle, line } = mark;
  const segments = line.points.slice(1).map((point, i) => [line.points[i], point]);
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      const offset = (row * size + column) * 4;
      // A pixel wholly on one side of every edge is one colour: no need to sample it. (Its
      // samples all lie within `reach` of its centre, so they would all agree.)
      const [px, py] = [(column + 0.5) * scale, (row + 0.5) * scale];
      const reach = (scale * Math.SQRT2) / 2;
      const fromCentre = Math.hypot(px - circle.cx, py - circle.cy);
      if (!fullBleed && fromCentre - reach > circle.r) continue; // transparent
      const fromLine = Math.min(
        ...segments.map(([from, to]) => distanceToSegment(px, py, from, to)),
      );
      if ((fullBleed || fromCentre + reach < circle.r) && fromLine - reach > line.width / 2) {
        pixels.set([...circle.fill, 255], offset);
        continue;
      }
      // Premultiplied sums over the pixel's samples: coverage becomes alpha.
      let [r, g, b, a] = [0, 0, 0, 0];
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const x = (column + (sx + 0.5) / SAMPLES) * scale;
          const y = (row + (sy + 0.5) / SAMPLES) * scale;
          const inCircle = fullBleed || Math.hypot(x - circle.cx, y - circle.cy) <= circle.r;
          if (!inCircle) continue;
          const onLine = segments.some(
            ([from, to]) => distanceToSegment(x, y, from, to) <= line.width / 2,
          );
          const [cr, cg, cb] = onLine ? line.stroke : circle.fill;
          r += cr;
          g += cg;
          b += cb;
          a += 1;
        }
      }
      if (a > 0) {
        pixels[offset] = Math.round(r / a);
        pixels[offset + 1] = Math.round(g / a);
        pixels[offset + 2] = Math.round(b / a);
      }
      pixels[offset + 3] = Math.round((a / (SAMPLES * SAMPLES)) * 255);
    }
  }
  return pixels;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** An 8-bit RGBA PNG, each row unfiltered. */
export function encodePng(pixels, size) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // bit depth, colour type RGBA, compression, filter, interlace
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let row = 0; row < size; row++)
    pixels.copy(rows, row * (size * 4 + 1) + 1, row * size * 4, (row + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/**
 * favicon.ico: the 32×32 PNG in an icon container (one directory entry pointing at PNG data, which
 * every browser since Windows Vista's time reads). Browsers ask for /favicon.ico by themselves on
 * pages that link no icon (the demo's checkout page on our origin, for one), and get the mark
 * instead of a 404.
 */
export function encodeIco(png, size) {
  const header = Buffer.alloc(6 + 16);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // an icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(size % 256, 6); // width and height; 0 means 256
  header.writeUInt8(size % 256, 7);
  header.writeUInt8(0, 8); // no palette
  header.writeUInt8(0, 9); // reserved
  header.writeUInt16LE(1, 10); // colour planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(png.length, 14);
  header.writeUInt32LE(header.length, 18); // the PNG follows the directory
  return Buffer.concat([header, png]);
}

/** Every icon file: its name in public/, its size, and whether it fills its square. */
export const ICONS = [
  { file: "favicon-32.png", size: 32 },
  { file: "apple-touch-icon.png", size: 180, fullBleed: true },
  { file: "icon-192.png", size: 192 },
  { file: "icon-512.png", size: 512 },
];

/** A colour the stylesheet defines as a custom property, e.g. `--brand`. */
export function cssColour(name, css = readFileSync(`${root}app/styles/app.css`, "utf8")) {
  const colour = css.match(new RegExp(`${name}:\\s*(#[0-9a-fA-F]{6})\\s*;`))?.[1];
  if (!colour) throw new Error(`app/styles/app.css defines no ${name} colour`);
  return colour.toLowerCase();
}

/**
 * The manifest: the brand colour for the browser's own UI around the site, the page colour behind
 * the icon while an installed site starts. The name is Kairos's: a static file cannot know the
 * practice's name, which lives in the database.
 */
export function manifest(css = readFileSync(`${root}app/styles/app.css`, "utf8")) {
  return {
    name: "Kairos",
    short_name: "Kairos",
    start_url: "/",
    display: "browser",
    theme_color: cssColour("--brand", css),
    background_color: cssColour("--paper", css),
    icons: ICONS.filter((icon) => icon.file.startsWith("icon-")).map((icon) => ({
      src: `/${icon.file}`,
      sizes: `${icon.size}x${icon.size}`,
      type: "image/png",
    })),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mark = readMark();
  for (const icon of ICONS) {
    const png = encodePng(drawMark(mark, icon.size, icon), icon.size);
    writeFileSync(`${root}public/${icon.file}`, png);
    console.log(`public/${icon.file}: ${icon.size}×${icon.size}, ${png.length} bytes`);
    if (icon.size === 32) {
      writeFileSync(`${root}public/favicon.ico`, encodeIco(png, icon.size));
      console.log("public/favicon.ico: the same, in an icon container");
    }
  }
  writeFileSync(`${root}public/site.webmanifest`, `${JSON.stringify(manifest(), null, 2)}\n`);
  console.log("public/site.webmanifest");
}
