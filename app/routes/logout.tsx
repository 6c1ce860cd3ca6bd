import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form } from "@remix-run/react";
import { endAllSessions, endSession } from "~/auth/sessions.server";
import { SubmitButton } from "~/components/wizard";
import { requireUser } from "~/http/auth.server";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle = { title: "Sign out" };

/** Signing out changes state, so it is a POST; this page only offers the buttons. */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const db = getDb();
  const user = await requireUser(request);
  const everywhere = (await request.formData()).get("everywhere") === "yes";
  if (everywhere) endAllSessions(db, user.id);
  const cookie = await endSession(db, request);
  return redirect("/login", { status: 303, headers: { "Set-Cookie": cookie } });
}

export default function Logout() {
  return (
    <div className="wizard narrow">
      <h1>Sign out</h1>
      <Form method="post">
        <SubmitButton pendingText="Signing out…">Sign out</SubmitButton>
      </Form>
      <Form method="post">
        <input type="hidden" name="everywhere" value="yes" />
        <p>Signed in on another device you no longer have?</p>
        <SubmitButton pendingText="Signing out…" primary={false}>
          Sign out on every device
        </SubmitButton>
      </Form>
    </div>
  );
}
