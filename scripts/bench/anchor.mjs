/**
 * The anchors `npm run bench` measures Kairos against, each in its own process, started by the
 * bench and loaded exactly as Kairos is (same machine, same run, same load settings):
 *
 * - `node anchor.mjs remix`: a trivial Remix page (`GET /`) and a resource route with an action
 *   (`POST /resource`), on the stack Kairos runs (Express, @remix-run/express, React's streaming
 *   renderer, single fetch), with none of Kairos's code: no middleware, no database, no layout.
 *   The route manifest is written by hand below, so no compiler and nothing in app/.
 * - `node --import tsx anchor.mjs kairos-shell`: a trivial page (and the resource route) in
 *   Kairos's own shell, run from source: its HTTP layer (server/express-app.ts: request log,
 *   compression when on, security headers and CSP nonce, request checks, static files, method,
 *   origin and form checks, rate limits), its document entry (app/entry.server.tsx) and its root
 *   route (app/root.tsx: the root loader reads the practice, the layout draws header and footer).
 *   Any page added to Kairos pays all of that: this is the "trivial Remix page in the same
 *   server", short of being in the same process. It needs Kairos's environment and a seeded
 *   database (DATABASE_PATH), as Kairos does.
 * - `node anchor.mjs node`: the floor, a bare `node:http` server answering the same two routes.
 *
 * Each answers `GET /healthz` with 200 once listening, like Kairos, and prints `listening <port>`.
 * PORT comes from the environment (0: any free port).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { PassThrough } from "node:stream";

const kind = process.argv[2] ?? "node";
const port = Number(process.env.PORT ?? 0);

const PAGE_TEXT =
  "A trivial page: a heading and a paragraph, the smallest thing a framework can serve.";

function nodeServer() {
  const page = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Anchor</title></head><body><main><h1>Anchor</h1><p>${PAGE_TEXT}</p></main></body></html>`;
  return createServer((req, res) => {
    if (req.method === "GET" && req.url === "/healthz") {
      res.writeHead(200, { "Content-Type": "application/json" });
      return res.end('{"status":"ok"}');
    }
    if (req.method === "GET" && req.url === "/") {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      return res.end(page);
    }
    if (req.method === "POST" && req.url === "/resource") {
      const chunks = [];
      req.on("data", (chunk) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ received: true, bytes: body.length }));
      });
      return;
    }
    res.writeHead(404, { "Content-Type": "text/plain" });
    res.end("Not found");
  });
}

/**
 * A Remix server build of a trivial app, written by hand (what the compiler would emit): the
 * given root route and document entry, or trivial ones.
 */
async function trivialBuild({ root: givenRoot, entry: givenEntry, otherRoutes = [] } = {}) {
  const [remixNode, remixReact, react, reactDom] = await Promise.all([
    import("@remix-run/node"),
    import("@remix-run/react"),
    import("react"),
    import("react-dom/server"),
  ]);
  const { createElement: h } = react;
  const { Links, Meta, Outlet, Scripts, useLoaderData, RemixServer } = remixReact;

  function Root() {
    return h(
      "html",
      { lang: "en" },
      h("head", null, h("meta", { charSet: "utf-8" }), h(Meta), h(Links)),
      h("body", null, h(Outlet), h(Scripts)),
    );
  }
  function Index() {
    const data = useLoaderData();
    return h("main", null, h("h1", null, data.title), h("p", null, data.text));
  }

  // What Remix's default entry.server does for a browser (and Kairos's does): render it all, then send.
  function handleRequest(request, status, headers, context) {
    return new Promise((resolve, reject) => {
      const { pipe } = reactDom.renderToPipeableStream(
        h(RemixServer, { context, url: request.url }),
        {
          onAllReady() {
            const body = new PassThrough();
            headers.set("Content-Type", "text/html; charset=utf-8");
            resolve(
              new Response(remixNode.createReadableStreamFromReadable(body), { headers, status }),
            );
            pipe(body);
          },
          onShellError: reject,
        },
      );
    });
  }

  const entryRoute = (id, extra) => ({
    id,
    module: `/build/${id}.js`,
    imports: [],
    hasAction: false,
    hasLoader: false,
    hasClientAction: false,
    hasClientLoader: false,
    hasErrorBoundary: false,
    ...extra,
  });
  const root = givenRoot ?? { default: Root };
  // Routes that are there to be matched against (and listed to the browser), never answered.
  const others = otherRoutes.map(({ id, parentId, path, index }) => ({
    id,
    parentId,
    path,
    index,
  }));
  /** @type {import("@remix-run/node").ServerBuild} */
  const build = {
    mode: "production",
    entry: { module: givenEntry ?? { default: handleRequest } },
    routes: {
      root: { id: "root", path: "", module: root },
      "routes/_index": {
        id: "routes/_index",
        parentId: "root",
        index: true,
        module: {
          default: Index,
          // Kairos titles pages from their handle; a bare root has only `meta`.
          handle: { title: "Anchor" },
          ...(givenRoot ? {} : { meta: () => [{ title: "Anchor" }] }),
          loader: () => ({ title: "Anchor", text: PAGE_TEXT }),
        },
      },
      "routes/resource": {
        id: "routes/resource",
        parentId: "root",
        path: "resource",
        module: {
          action: async ({ request }) => {
            const body = await request.text();
            return Response.json({ received: true, bytes: body.length });
          },
        },
      },
      ...Object.fromEntries(others.map((route) => [route.id, { ...route, module: {} }])),
    },
    assets: {
      entry: { module: "/build/entry.client.js", imports: [] },
      routes: {
        root: entryRoute("root", {
          path: "",
          hasLoader: typeof root.loader === "function",
          hasErrorBoundary: typeof root.ErrorBoundary === "function",
        }),
        "routes/_index": entryRoute("routes/_index", {
          parentId: "root",
          index: true,
          hasLoader: true,
        }),
        "routes/resource": entryRoute("routes/resource", {
          parentId: "root",
          path: "resource",
          hasAction: true,
        }),
        ...Object.fromEntries(others.map((route) => [route.id, entryRoute(route.id, route)])),
      },
      url: "/build/manifest-anchor.js",
      version: "anchor",
    },
    publicPath: "/build/",
    assetsBuildDirectory: "public/build",
    future: {
      v3_fetcherPersist: true,
      v3_relativeSplatPath: true,
      v3_throwAbortReason: true,
      v3_routeConfig: false,
      v3_singleFetch: true,
      v3_lazyRouteDiscovery: true,
      unstable_optimizeDeps: false,
    },
    isSpaMode: false,
  };

  return build;
}

async function remixServer() {
  const [{ default: express }, { createRequestHandler }] = await Promise.all([
    import("express"),
    import("@remix-run/express"),
  ]);
  const build = await trivialBuild();
  const app = express();
  app.disable("x-powered-by");
  app.get("/healthz", (_req, res) => res.json({ status: "ok" }));
  app.all("*", createRequestHandler({ build, mode: "production" }));
  return createServer(app);
}

/**
 * Kairos's routes but its root and home page, from the browser manifest of the last build (the
 * bench builds first): Remix matches every request against the whole route tree, and a page
 * added to Kairos would pay for matching it too.
 */
function kairosRoutes() {
  const folder = new URL("../../public/build/", import.meta.url);
  const newest = readdirSync(folder)
    .filter((name) => /^manifest-\w+\.js$/.test(name))
    .map((name) => ({ name, mtime: statSync(new URL(name, folder)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime)[0];
  if (!newest) throw new Error("no public/build/manifest-*.js: build Kairos first");
  const text = readFileSync(new URL(newest.name, folder), "utf8");
  const manifest = JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1));
  return Object.values(manifest.routes).filter(
    (route) => route.id !== "root" && route.id !== "routes/_index",
  );
}

/** The trivial page in Kairos's shell; its /healthz is answered here (the page is the point). */
async function kairosShellServer() {
  const [{ createExpressApp }, root, entry] = await Promise.all([
    import("../../server/express-app.ts"),
    import("../../app/root.tsx"),
    import("../../app/entry.server.tsx"),
  ]);
  const build = await trivialBuild({ root, entry, otherRoutes: kairosRoutes() });
  const app = createExpressApp(build, {
    appOrigin: new URL(process.env.APP_URL ?? "http://127.0.0.1").origin,
    checkoutOrigins: [],
    trustProxy: false,
  });
  app.markReady();
  return createServer((req, res) => {
    if (req.method === "GET" && req.url === "/healthz") {
      res.writeHead(200, { "Content-Type": "application/json" });
      return res.end('{"status":"ok"}');
    }
    app.handler(req, res);
  });
}

const SERVERS = { node: nodeServer, remix: remixServer, "kairos-shell": kairosShellServer };
if (!SERVERS[kind]) throw new Error(`no anchor "${kind}": ${Object.keys(SERVERS).join(", ")}`);
const server = await SERVERS[kind]();
server.keepAliveTimeout = 65_000;
server.listen(port, "127.0.0.1", () => {
  console.log(`listening ${server.address().port}`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
