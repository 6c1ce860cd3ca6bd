import type { LinksFunction } from "@remix-run/node";
import {
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useLoaderData,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { getPracticeSummary } from "~/catalogue/catalogue.server";
import { useNonce } from "~/components/nonce";
import { errorPageTitle, PageTitle } from "~/components/page-title";
import { useFocusOnNavigation } from "~/components/focus-on-navigation";
import { getEnv } from "~/lib/env.server";
import styles from "~/styles/app.css";
import { getDb } from "~db/database.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  // The PNG first, sized, for browsers without SVG favicons; those with them take the SVG. The
  // PNGs are drawn from the SVG by scripts/make-icons.mjs.
  { rel: "icon", href: "/favicon-32.png", type: "image/png", sizes: "32x32" },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
  { rel: "apple-touch-icon", href: "/apple-touch-icon.png", sizes: "180x180" },
  { rel: "manifest", href: "/site.webmanifest" },
];

export function loader() {
  return {
    practice: getPracticeSummary(getDb()),
    testPayments: getEnv().testPayments,
  };
}

export function Layout({ children }: { children: ReactNode }) {
  // Also wraps the error boundary, when the root loader may not have run: hence the fallbacks.
  const data = useRouteLoaderData<typeof loader>("root");
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <PageTitle practiceName={data?.practice.name ?? "Kairos"} />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header>
          {data?.testPayments ? (
            <p className="demo-banner" role="note">
              <strong>Test payments:</strong> no real money. Cards are never charged.
            </p>
          ) : null}
          <div className="site-header">
            <Link to="/" className="site-name">
              {data?.practice.name ?? "Kairos"}
            </Link>
          </div>
        </header>
        <main id="main" className="site-main">
          {children}
        </main>
        <footer className="site-footer">
          <p>
            <Link to="/my-bookings">My bookings</Link> · Bookings by Kairos
          </p>
        </footer>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  useLoaderData<typeof loader>();
  useFocusOnNavigation();
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const title = errorPageTitle(error);
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <ErrorPage title={title} code={404}>
        The link may be old, or the address may have a typo.
      </ErrorPage>
    );
  }
  if (isRouteErrorResponse(error) && error.status === 403) {
    return (
      <ErrorPage title={title} code={403}>
        {typeof error.data === "string" && error.data
          ? error.data
          : "Your account does not give you access to this page."}
      </ErrorPage>
    );
  }
  if (isRouteErrorResponse(error)) {
    return (
      <ErrorPage title={title} code={error.status}>
        {error.status < 500
          ? "The request couldn’t be handled. Please go back and try again."
          : "Something went wrong on our side. Please try again in a minute."}
      </ErrorPage>
    );
  }
  // Unexpected errors: Remix strips their details in production; we never render a stack.
  return (
    <ErrorPage title={title} code={500}>
      Something went wrong on our side. Nothing you entered has been lost; please try again in a
      minute.
    </ErrorPage>
  );
}

function ErrorPage({
  title,
  code,
  children,
}: {
  title: string;
  code: number;
  children: ReactNode;
}) {
  return (
    <section className="error-page" aria-labelledby="error-title">
      <p className="error-code">Error {code}</p>
      <h1 id="error-title">{title}</h1>
      <p>{children}</p>
      <p>
        <Link to="/" className="button">
          Back to the home page
        </Link>
      </p>
    </section>
  );
}
