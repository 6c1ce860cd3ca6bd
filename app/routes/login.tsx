import {
  data,
  redirect,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LoaderFunctionArgs,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { currentUser, startSession } from "~/auth/sessions.server";
import { signIn, SignInError } from "~/auth/sign-in.server";
import { FieldError, Notice, SubmitButton } from "~/components/wizard";
import { safeRedirect } from "~/http/auth.server";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle = { title: "Sign in" };

/** A throttled attempt says when to come back, in the page and to the browser. */
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

export async function loader({ request }: LoaderFunctionArgs) {
  const redirectTo = safeRedirect(new URL(request.url).searchParams.get("redirectTo"));
  // Already signed in: straight on.
  if (await currentUser(getDb(), request, new Date())) throw redirect(redirectTo);
  return { redirectTo };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const db = getDb();
  const now = new Date();
  // The strategy reads the body itself; where to go next is read from a copy.
  const redirectTo = safeRedirect((await request.clone().formData()).get("redirectTo"));
  try {
    const user = await signIn(db, request, { address: context.clientAddress, now });
    const cookie = await startSession(db, user.id, {
      now,
      userAgent: request.headers.get("user-agent"),
    });
    return redirect(redirectTo, {
      status: 303,
      headers: { "Set-Cookie": cookie },
    });
  } catch (error) {
    if (!(error instanceof SignInError)) throw error;
    const failure = error.failure;
    if (failure.kind === "invalid")
      return data({ fieldErrors: failure.fieldErrors, message: null }, { status: 400 });
    if (failure.kind === "throttled")
      return data(
        { fieldErrors: {}, message: failure.message },
        { status: 429, headers: { "Retry-After": String(failure.retryAfterSeconds) } },
      );
    return data({ fieldErrors: {}, message: failure.message }, { status: 401 });
  }
}

export default function Login() {
  const { redirectTo } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Record<string, string[] | undefined> = result?.fieldErrors ?? {};
  return (
    <div className="wizard narrow">
      <h1>Sign in</h1>
      <p>For the practice’s coaches. Clients don’t need an account.</p>
      {result?.message ? <Notice tone="error">{result.message}</Notice> : null}
      <Form method="post" noValidate>
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <div className="field">
          <label htmlFor="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            autoComplete="username"
            inputMode="email"
            required
            aria-invalid={errors.email ? true : undefined}
            aria-describedby="email-error"
          />
          <FieldError id="email-error" errors={errors.email} />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            aria-invalid={errors.password ? true : undefined}
            aria-describedby="password-error"
          />
          <FieldError id="password-error" errors={errors.password} />
        </div>
        <SubmitButton pendingText="Signing in…">Sign in</SubmitButton>
      </Form>
    </div>
  );
}
