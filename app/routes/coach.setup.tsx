import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { isSetUp, setupChecklist } from "~/coach/setup.server";
import { requireOwner } from "~/http/auth.server";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle = { title: "Set up your practice" };

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOwner(request);
  const steps = setupChecklist(getDb());
  return { steps, done: isSetUp(steps) };
}

export default function Setup() {
  const { steps, done } = useLoaderData<typeof loader>();
  return (
    <div className="coach-page">
      <h1>Set up your practice</h1>
      {done ? (
        <p className="notice notice-done" role="status">
          All done: clients can book now. <Link to="/coach">Go to your bookings</Link>.
        </p>
      ) : (
        <p>Four steps, and clients can book. You can change everything later.</p>
      )}
      <ol className="checklist">
        {steps.map((step) => (
          <li key={step.key} className={step.done ? "checklist-done" : undefined}>
            <Link to={step.href}>{step.title}</Link>
            <span className="cell-note">{step.done ? "Done" : "To do"}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
