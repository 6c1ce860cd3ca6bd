/**
 * The fields of the owner's service form (/coach/services/<id>): what the session is, its price,
 * who gives it, where it takes place and what the details step asks the client. Plain fields that
 * work without JavaScript; the server validates (app/catalogue/services-admin.server.ts) and its
 * messages come back next to each field, with everything typed kept.
 */
import { getInputProps, getSelectProps, getTextareaProps, useForm } from "@conform-to/react";
import { FieldError } from "~/components/wizard";

/** The form as the browser holds it: text, and lists of text. */
export type ServiceFormShape = {
  name: string;
  description: string;
  duration: string;
  price: string;
  currency: string;
  coaches: string[];
  locationKind: string;
  roomPattern: string;
  address: string;
  phoneNote: string;
  questions: QuestionRow[];
};
type QuestionRow = { kind: string; label: string; required: string; options: string };

type Fields = ReturnType<typeof useForm<ServiceFormShape>>[1];

export type CoachChoice = { id: string; name: string; active: boolean; hasVideoLink: boolean };
export type CurrencyChoice = { value: string; label: string };

/** Blank rows below a service's questions, for adding new ones without JavaScript. */
export const BLANK_QUESTION_ROWS = 3;
export const BLANK_QUESTION: QuestionRow = {
  kind: "short_text",
  label: "",
  required: "",
  options: "",
};

const QUESTION_KINDS = [
  ["short_text", "Short answer"],
  ["long_text", "Long answer"],
  ["choice", "One choice from a list"],
  ["consent", "A box to tick to agree (always required)"],
] as const;

/** `[fields.x.initialValue]` as a list, whether the form held one value or several. */
function listOf(value: unknown): string[] {
  return [value ?? []].flat().map(String);
}

export function ServiceFields({
  fields,
  coaches,
  currencies,
}: {
  fields: Fields;
  coaches: CoachChoice[];
  currencies: CurrencyChoice[];
}) {
  return (
    <>
      <AboutFields fields={fields} currencies={currencies} />
      <CoachesField fields={fields} coaches={coaches} />
      <PlaceField fields={fields} />
      <QuestionsField fields={fields} />
    </>
  );
}

function AboutFields({ fields, currencies }: { fields: Fields; currencies: CurrencyChoice[] }) {
  const { name, description, duration, price, currency } = fields;
  return (
    <>
      <div className="field">
        <label htmlFor={name.id}>Name</label>
        <input {...getInputProps(name, { type: "text" })} maxLength={100} />
        <FieldError id={name.errorId} errors={name.errors} />
      </div>
      <div className="field">
        <label htmlFor={description.id}>
          Description <span className="optional">(optional)</span>
        </label>
        <p className="hint" id={`${description.id}-hint`}>
          Shown to clients on the home page and when they choose a session.
        </p>
        <textarea
          {...getTextareaProps(description, { ariaDescribedBy: `${description.id}-hint` })}
          rows={3}
          maxLength={1000}
        />
        <FieldError id={description.errorId} errors={description.errors} />
      </div>
      <div className="field">
        <label htmlFor={duration.id}>Length in minutes</label>
        <p className="hint" id={`${duration.id}-hint`}>
          In steps of 5 minutes, up to 480 (8 hours).
        </p>
        <input
          {...getInputProps(duration, { type: "text", ariaDescribedBy: `${duration.id}-hint` })}
          inputMode="numeric"
        />
        <FieldError id={duration.errorId} errors={duration.errors} />
      </div>
      <div className="field">
        <label htmlFor={price.id}>Price</label>
        <p className="hint" id={`${price.id}-hint`}>
          For example 45 or 45.50; 0 for a free session. Bookings already made keep the price they
          were made at.
        </p>
        <input
          {...getInputProps(price, { type: "text", ariaDescribedBy: `${price.id}-hint` })}
          inputMode="decimal"
        />
        <FieldError id={price.errorId} errors={price.errors} />
      </div>
      <div className="field">
        <label htmlFor={currency.id}>Currency</label>
        <select {...getSelectProps(currency)} defaultValue={listOf(currency.initialValue)[0]}>
          {currencies.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
        <FieldError id={currency.errorId} errors={currency.errors} />
      </div>
    </>
  );
}

function CoachesField({ fields, coaches }: { fields: Fields; coaches: CoachChoice[] }) {
  const field = fields.coaches;
  const chosen = listOf(field.initialValue);
  return (
    <fieldset
      className="field"
      aria-describedby={`${field.id}-hint ${field.errorId}`}
      aria-invalid={field.errors ? true : undefined}
    >
      <legend>Who gives it</legend>
      <p className="hint" id={`${field.id}-hint`}>
        Clients can book it with the coaches ticked here, once they have working hours.
      </p>
      {coaches.map((coach) => (
        <label key={coach.id} className="choice-inline">
          <input
            type="checkbox"
            id={`${field.id}-${coach.id}`}
            name={field.name}
            value={coach.id}
            defaultChecked={chosen.includes(coach.id)}
          />{" "}
          {coach.name}
          {coach.active ? "" : " (deactivated)"}
        </label>
      ))}
      <FieldError id={field.errorId} errors={field.errors} />
    </fieldset>
  );
}

function PlaceField({ fields }: { fields: Fields }) {
  const { locationKind, roomPattern, address, phoneNote } = fields;
  const chosen = listOf(locationKind.initialValue)[0] ?? "none";
  const radio = (value: string, label: string) => (
    <label className="choice-inline">
      <input
        type="radio"
        id={`${locationKind.id}-${value}`}
        name={locationKind.name}
        value={value}
        defaultChecked={chosen === value}
      />{" "}
      {label}
    </label>
  );
  return (
    <fieldset
      className="field"
      aria-describedby={locationKind.errorId}
      aria-invalid={locationKind.errors ? true : undefined}
    >
      <legend>Where it takes place</legend>
      {radio("none", "Not said here: you tell the client yourselves")}
      {radio("video_fixed", "A video call at the coach’s own link (from their profile)")}
      {radio("video_room", "A video call in a new room for each booking")}
      <div className="field">
        <label htmlFor={roomPattern.id}>Link for the rooms</label>
        <p className="hint" id={`${roomPattern.id}-hint`}>
          Starting with https://. Each booking gets its own room name where {"{room}"} is.
        </p>
        <input
          {...getInputProps(roomPattern, {
            type: "text",
            ariaDescribedBy: `${roomPattern.id}-hint`,
          })}
          inputMode="url"
          maxLength={300}
        />
        <FieldError id={roomPattern.errorId} errors={roomPattern.errors} />
      </div>
      {radio("address", "In person, at an address")}
      <div className="field">
        <label htmlFor={address.id}>Address</label>
        <textarea {...getTextareaProps(address)} rows={3} maxLength={500} />
        <FieldError id={address.errorId} errors={address.errors} />
      </div>
      {radio("phone", "A phone call")}
      <div className="field">
        <label htmlFor={phoneNote.id}>
          What the client should know <span className="optional">(optional)</span>
        </label>
        <p className="hint" id={`${phoneNote.id}-hint`}>
          For example “Maya calls you on the number you give”: add a question for the number.
        </p>
        <input
          {...getInputProps(phoneNote, { type: "text", ariaDescribedBy: `${phoneNote.id}-hint` })}
          maxLength={300}
        />
        <FieldError id={phoneNote.errorId} errors={phoneNote.errors} />
      </div>
      <FieldError id={locationKind.errorId} errors={locationKind.errors} />
    </fieldset>
  );
}

function QuestionsField({ fields }: { fields: Fields }) {
  const questions = fields.questions;
  return (
    <section aria-labelledby="questions-heading">
      <h2 id="questions-heading">Questions for the client</h2>
      <p className="hint" id={`${questions.id}-hint`}>
        Asked when the client gives their details, in this order, and kept with the booking. To
        remove a question, empty its text and options. Up to 10.
      </p>
      <FieldError id={questions.errorId} errors={questions.errors} />
      {questions.getFieldList().map((item, index) => {
        const row = item.getFieldset();
        return (
          <fieldset key={item.key} className="field">
            <legend>Question {index + 1}</legend>
            <div className="field">
              <label htmlFor={row.kind.id}>Kind</label>
              <select {...getSelectProps(row.kind)} defaultValue={listOf(row.kind.initialValue)[0]}>
                {QUESTION_KINDS.map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
              <FieldError id={row.kind.errorId} errors={row.kind.errors} />
            </div>
            <div className="field">
              <label htmlFor={row.label.id}>Question</label>
              <input {...getInputProps(row.label, { type: "text" })} maxLength={300} />
              <FieldError id={row.label.errorId} errors={row.label.errors} />
            </div>
            <div className="field">
              <label className="choice-inline">
                <input {...getInputProps(row.required, { type: "checkbox" })} /> The client must
                answer it
              </label>
              <FieldError id={row.required.errorId} errors={row.required.errors} />
            </div>
            <div className="field">
              <label htmlFor={row.options.id}>
                Options, one per line <span className="optional">(for a choice)</span>
              </label>
              <textarea {...getTextareaProps(row.options)} rows={3} />
              <FieldError id={row.options.errorId} errors={row.options.errors} />
            </div>
          </fieldset>
        );
      })}
    </section>
  );
}
