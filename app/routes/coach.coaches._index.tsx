import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import {
  addCoach,
  coachSchema,
  emailTaken,
  listCoachesForOwner,
} from "~/catalogue/coaches-admin.server";
import { practiceValues } from "~/catalogue/practice-admin.server";
import { CoachFields, type CoachForm } from "~/components/coach-fields";
import { SubmitButton } from "~/components/wizard";
import { requireOwner } from "~/http/auth.server";
import { rejectField } from "~/http/forms.server";
import { timezoneOptions } from "~/lib/timezones";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle = { title: "Coaches" };

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOwner(request);
  const db = getDb();
  // A new coach is most likely where the practice is.
  const practiceZone = practiceValues(db).timezone;
  return {
    coaches: listCoachesForOwner(db),
    timezones: timezoneOptions(practiceZone),
    practiceZone,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  await requireOwner(request);
  const db = getDb();
  const submission = parseWithZod(await request.formData(), { schema: coachSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  if (emailTaken(db, submission.value.email))
    return rejectField(submission, "email", "Another coach already has this email address.");
  const added = await addCoach(db, submission.value);
  // The password exists nowhere else: shown on this answer, once, never in a URL.
  return { added: { name: submission.value.name, email: submission.value.email, ...added } };
}

export default function Coaches() {
  const { coaches, timezones, practiceZone } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const added = result && "added" in result ? result.added : null;
  const [form, fields] = useForm<CoachForm>({
    id: "add-coach",
    lastResult: result && !("added" in result) ? result : undefined,
    defaultValue: { timezone: practiceZone },
  });
  return (
    <div className="coach-page">
      <h1>Coaches</h1>
      {added ? (
        <div className="notice notice-done" role="status">
          <p>
            <strong>{added.name}</strong> is added.{" "}
            {added.password ? (
              <>
                They sign in at /login with <code>{added.email}</code> and the password{" "}
                <code>{added.password}</code>. It is shown only now: give it to them privately.
              </>
            ) : (
              "Their existing account now opens their calendar."
            )}
          </p>
          <p>
            Next: <Link to={`/coach/coaches/${added.coachId}/availability`}>set their hours</Link>.
          </p>
        </div>
      ) : null}
      {coaches.length ? (
        <div className="table-scroll">
          <table className="bookings">
            <caption className="visually-hidden">Coaches</caption>
            <thead>
              <tr>
                <th scope="col">Coach</th>
                <th scope="col">Timezone</th>
                <th scope="col">Status</th>
                <th scope="col">Hours</th>
              </tr>
            </thead>
            <tbody>
              {coaches.map((coach) => (
                <tr key={coach.id}>
                  <td>
                    <Link to={`/coach/coaches/${coach.id}`}>{coach.name}</Link>
                    <span className="cell-note">{coach.email}</span>
                  </td>
                  <td>{coach.timezone}</td>
                  <td>{coach.active ? "Taking bookings" : "Deactivated"}</td>
                  <td>
                    <Link to={`/coach/coaches/${coach.id}/availability`}>
                      Hours<span className="visually-hidden"> of {coach.name}</span>
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p>No coaches yet.</p>
      )}
      <h2>Add a coach</h2>
      <p className="hint">
        They get an account to sign in with; its password is shown here once, for you to pass on.
      </p>
      <Form method="post" {...getFormProps(form)} noValidate>
        <CoachFields fields={fields} timezones={timezones} />
        <SubmitButton pendingText="Adding…">Add the coach</SubmitButton>
      </Form>
    </div>
  );
}
