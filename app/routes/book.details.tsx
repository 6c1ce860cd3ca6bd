import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { listQuestions, readDraftAnswers } from "~/catalogue/intake.server";
import { guardStep, redirectToStep } from "~/http/wizard.server";
import { timezoneGroups } from "~/lib/timezones";
import { TimezoneSelect } from "~/components/timezone-select";
import {
  ANSWER_MAX_LENGTH,
  answerKey,
  CONSENT_VALUE,
  HONEYPOT_FIELD,
  type AskedQuestion,
} from "~/wizard/fields";
import { readDetailsStep } from "~/wizard/step-forms.server";
import { saveDetails } from "~/wizard/steps.server";
import { loadWizard, stepPosition } from "~/wizard/wizard.server";
import { STEP_PATH, STEP_TITLE } from "~/wizard/step-names";
import { FieldError, SubmitButton, WizardHeader } from "~/components/wizard";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";
import { ErrorSummary, problemsOf } from "~/components/error-summary";
import { controlProps, formFromReply, textProps, type FieldMeta } from "~/components/form-reply";

export const handle: PageHandle = { title: "Your details · Book" };

export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  const wizard = await loadWizard(request, db, new Date());
  guardStep(wizard, "details");
  const draft = wizard.draft!;
  // The chosen session's questions; answers saved for another session's are not shown.
  const questions = listQuestions(db, wizard.service!.id);
  const saved = readDraftAnswers(draft.intakeAnswers);
  return {
    position: stepPosition(wizard, "details"),
    questions,
    values: {
      name: draft.clientName ?? "",
      email: draft.clientEmail ?? "",
      notes: draft.clientNotes ?? "",
      timezone: wizard.timezone!,
      answers: Object.fromEntries(
        questions.map((question) => [answerKey(question.id), saved[String(question.id)] ?? ""]),
      ),
    },
    timezones: timezoneGroups({
      current: wizard.timezone,
      suggested: [wizard.offer?.coach.timezone],
      now: new Date(),
      // The regions of the zone shown and the coach's keep the page small; the time step has
      // every zone, and the zone chosen there is the one shown here.
      compact: true,
      regions: "suggested",
    }),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const db = getDb();
  const now = new Date();
  const wizard = await loadWizard(request, db, now);
  guardStep(wizard, "details");
  // Validated against the questions the session asks now, whatever the page showed.
  const submission = readDetailsStep(
    await request.formData(),
    listQuestions(db, wizard.service!.id),
  );
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const saved = saveDetails(db, wizard, submission.value, now)!;
  return redirectToStep(saved.draft, saved.next);
}

export default function DetailsStep() {
  const { position, questions, values, timezones } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const form = formFromReply("details-step", lastResult, values);
  const fields = {
    name: form.field("name"),
    email: form.field("email"),
    notes: form.field("notes"),
    timezone: form.field("timezone"),
  };
  const answerField = (question: AskedQuestion) => form.field(`answers.${answerKey(question.id)}`);
  // In the form's order; a choice question's link goes to its first option.
  const problems = problemsOf({
    name: fields.name,
    email: fields.email,
    notes: fields.notes,
    ...Object.fromEntries(
      questions.map((question) => {
        const field = answerField(question);
        const id = question.kind === "choice" ? `${field.id}-0` : field.id;
        return [question.id, { id, errors: field.errors }];
      }),
    ),
    timezone: fields.timezone,
  });
  return (
    <div className="wizard">
      <WizardHeader
        position={position}
        title={STEP_TITLE.details}
        back={{ to: STEP_PATH.time, label: "Day and time" }}
      />
      {form.status === "error" ? <ErrorSummary problems={problems} answer={lastResult} /> : null}
      <Form method="post" id={form.id} noValidate>
        {form.errors ? <p className="field-error">{form.errors.join(" ")}</p> : null}
        <div className="field">
          <label htmlFor={fields.name.id}>Your name</label>
          <input {...textProps(fields.name)} type="text" autoComplete="name" maxLength={100} />
          <FieldError id={fields.name.errorId} errors={fields.name.errors} />
        </div>
        <div className="field">
          <label htmlFor={fields.email.id}>Email</label>
          <p className="hint" id={`${fields.email.id}-hint`}>
            Your confirmation and the link to change your booking go here.
          </p>
          <input
            {...textProps(fields.email)}
            type="email"
            aria-describedby={`${fields.email.id}-hint ${fields.email.errorId}`}
            autoComplete="email"
            inputMode="email"
          />
          <FieldError id={fields.email.errorId} errors={fields.email.errors} />
        </div>
        <div className="field">
          <label htmlFor={fields.notes.id}>
            Notes for your coach <span className="optional">(optional)</span>
          </label>
          <textarea {...textProps(fields.notes)} rows={4} maxLength={1000} />
          <FieldError id={fields.notes.errorId} errors={fields.notes.errors} />
        </div>
        {questions.map((question) => (
          <QuestionField key={question.id} question={question} field={answerField(question)} />
        ))}
        <div className="field">
          <TimezoneSelect
            label="Your timezone"
            groups={timezones}
            {...controlProps(fields.timezone)}
            defaultValue={fields.timezone.initialValue}
          />
          <FieldError id={fields.timezone.errorId} errors={fields.timezone.errors} />
        </div>
        <div className="honeypot" aria-hidden="true">
          <label htmlFor="details-fax">Leave this field empty</label>
          <input
            id="details-fax"
            name={HONEYPOT_FIELD}
            type="text"
            tabIndex={-1}
            autoComplete="off"
            defaultValue=""
          />
        </div>
        <SubmitButton pendingText="Saving…">Continue</SubmitButton>
      </Form>
    </div>
  );
}

/** A question the session asks, as the field its kind calls for, with its error beside it. */
function QuestionField({ question, field }: { question: AskedQuestion; field: FieldMeta }) {
  const optional = question.required ? null : <span className="optional">(optional)</span>;
  if (question.kind === "choice") {
    return (
      <fieldset
        className="field"
        aria-describedby={field.errorId}
        aria-invalid={field.errors ? true : undefined}
      >
        <legend>
          {question.label} {optional}
        </legend>
        {question.options.map((option, index) => (
          <label key={option} className="choice-inline">
            <input
              type="radio"
              id={`${field.id}-${index}`}
              name={field.name}
              value={option}
              defaultChecked={field.initialValue === option}
            />{" "}
            {option}
          </label>
        ))}
        <FieldError id={field.errorId} errors={field.errors} />
      </fieldset>
    );
  }
  if (question.kind === "consent") {
    return (
      <div className="field">
        <label className="choice-inline">
          <input
            {...controlProps(field)}
            type="checkbox"
            value={CONSENT_VALUE}
            defaultChecked={field.initialValue === CONSENT_VALUE}
          />{" "}
          {question.label}
        </label>
        <FieldError id={field.errorId} errors={field.errors} />
      </div>
    );
  }
  return (
    <div className="field">
      <label htmlFor={field.id}>
        {question.label} {optional}
      </label>
      {question.kind === "long_text" ? (
        <textarea {...textProps(field)} rows={4} maxLength={ANSWER_MAX_LENGTH.long_text} />
      ) : (
        <input {...textProps(field)} type="text" maxLength={ANSWER_MAX_LENGTH.short_text} />
      )}
      <FieldError id={field.errorId} errors={field.errors} />
    </div>
  );
}
