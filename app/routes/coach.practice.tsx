import { getFormProps, getInputProps, getSelectProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { describePolicy, readPolicy } from "~/catalogue/policy.server";
import { practiceSchema, practiceValues, savePractice } from "~/catalogue/practice-admin.server";
import { Done } from "~/components/coach";
import { FieldError, SubmitButton } from "~/components/wizard";
import { requireOwner } from "~/http/auth.server";
import { timezoneOptions } from "~/lib/timezones";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle = { title: "Practice settings" };

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOwner(request);
  const db = getDb();
  const values = practiceValues(db);
  return {
    values,
    timezones: timezoneOptions(values.timezone),
    policy: describePolicy(readPolicy(db), { paid: true }),
    saved: new URL(request.url).searchParams.has("saved"),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  await requireOwner(request);
  const submission = parseWithZod(await request.formData(), { schema: practiceSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  savePractice(getDb(), submission.value, new Date());
  return redirect("/coach/practice?saved", 303);
}

export default function PracticeSettings() {
  const { values, timezones, policy, saved } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({ id: "practice", lastResult, defaultValue: values });
  const tiers = fields.tiers.getFieldList();
  return (
    <div className="coach-page">
      <h1>Practice settings</h1>
      {saved ? <Done>Saved.</Done> : null}
      <Form method="post" {...getFormProps(form)} noValidate>
        <div className="field">
          <label htmlFor={fields.name.id}>Practice name</label>
          <input {...getInputProps(fields.name, { type: "text" })} maxLength={100} />
          <FieldError id={fields.name.errorId} errors={fields.name.errors} />
        </div>
        <div className="field">
          <label htmlFor={fields.tagline.id}>
            Tagline <span className="optional">(optional)</span>
          </label>
          <input {...getInputProps(fields.tagline, { type: "text" })} maxLength={200} />
          <FieldError id={fields.tagline.errorId} errors={fields.tagline.errors} />
        </div>
        <div className="field">
          <label htmlFor={fields.contactEmail.id}>Contact email for clients</label>
          <input {...getInputProps(fields.contactEmail, { type: "email" })} autoComplete="email" />
          <FieldError id={fields.contactEmail.errorId} errors={fields.contactEmail.errors} />
        </div>
        <div className="field">
          <label htmlFor={fields.timezone.id}>The practice’s timezone</label>
          <select {...getSelectProps(fields.timezone)}>
            {timezones.map((zone) => (
              <option key={zone.value} value={zone.value}>
                {zone.label}
              </option>
            ))}
          </select>
          <FieldError id={fields.timezone.errorId} errors={fields.timezone.errors} />
        </div>

        <h2>Cancellation policy</h2>
        <p className="hint">Clients read this before they pay. Today it says:</p>
        <blockquote className="policy">
          {policy.map((line) => (
            <p key={line}>{line}</p>
          ))}
        </blockquote>
        <div className="field">
          <label htmlFor={fields.selfServiceNoticeHours.id}>
            Clients may cancel or move a booking themselves until this many hours before it
          </label>
          <input
            {...getInputProps(fields.selfServiceNoticeHours, { type: "number" })}
            min={0}
            max={720}
            inputMode="numeric"
          />
          <FieldError
            id={fields.selfServiceNoticeHours.errorId}
            errors={fields.selfServiceNoticeHours.errors}
          />
        </div>
        <fieldset className="tiers">
          <legend>Refunds when a client cancels (leave a row empty to drop it)</legend>
          {tiers.map((tier, i) => {
            const row = tier.getFieldset();
            return (
              <div key={tier.key} className="tier">
                <div className="field">
                  <label htmlFor={row.hoursBefore.id}>
                    Refund {i + 1}: at least this many hours’ notice
                  </label>
                  <input
                    {...getInputProps(row.hoursBefore, { type: "number" })}
                    min={0}
                    inputMode="numeric"
                  />
                  <FieldError id={row.hoursBefore.errorId} errors={row.hoursBefore.errors} />
                </div>
                <div className="field">
                  <label htmlFor={row.percent.id}>Refund {i + 1}: percent of the payment</label>
                  <input
                    {...getInputProps(row.percent, { type: "number" })}
                    min={0}
                    max={100}
                    inputMode="numeric"
                  />
                  <FieldError id={row.percent.errorId} errors={row.percent.errors} />
                </div>
              </div>
            );
          })}
        </fieldset>
        <SubmitButton pendingText="Saving…">Save</SubmitButton>
      </Form>
    </div>
  );
}
