/**
 * The document's title, made in one place: the page's own (its route's `handle.title`), then the
 * practice's name, and "Error: " first when the form just sent back has mistakes, so a screen
 * reader user hears at once that the page came back (JavaScript on or off: it is in the HTML).
 *
 * Remix's `meta` cannot see action data, so the title is not left to it: React Router's state
 * holds the action data of the submission just made.
 */
import { isRouteErrorResponse, useMatches } from "@remix-run/react";
import { useContext } from "react";
import { UNSAFE_DataRouterStateContext as DataRouterStateContext } from "react-router-dom";

/** What a route says its page is called, from its loader data when it needs it. */
export type PageHandle<Data = unknown> = { title: string | ((data: Data | undefined) => string) };

const hasTitle = (handle: unknown): handle is PageHandle =>
  typeof handle === "object" && handle !== null && "title" in handle;

/** Whether an action's answer is a form sent back with mistakes (Conform's reply, or ours). */
export function isErrorReply(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const reply = value as { status?: unknown; error?: unknown };
  return (
    reply.status === "error" &&
    typeof reply.error === "object" &&
    reply.error !== null &&
    Object.values(reply.error).some((messages) => Array.isArray(messages) && messages.length > 0)
  );
}

/** The error page's heading (root.tsx's ErrorBoundary says the same). */
export function errorPageTitle(error: unknown): string {
  if (isRouteErrorResponse(error) && error.status === 404) return "We couldn’t find that page";
  if (isRouteErrorResponse(error) && error.status === 403) return "That isn’t yours to see";
  if (isRouteErrorResponse(error)) return "That didn’t work";
  return "Something went wrong";
}

export function PageTitle({ practiceName }: { practiceName: string }) {
  const matches = useMatches();
  const state = useContext(DataRouterStateContext);
  const page = [...matches].reverse().find((match) => hasTitle(match.handle));
  const error = Object.values(state?.errors ?? {})[0];
  if (error !== undefined) return <title>{`${errorPageTitle(error)} · ${practiceName}`}</title>;
  if (!page) return <title>{practiceName}</title>;
  const { title } = page.handle as PageHandle;
  const own = typeof title === "function" ? title(page.data) : title;
  const withErrors = Object.values(state?.actionData ?? {}).some(isErrorReply);
  return <title>{`${withErrors ? "Error: " : ""}${own} · ${practiceName}`}</title>;
}
