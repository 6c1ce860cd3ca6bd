import { Link, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";

/** The heading block of every wizard step: where the client is, and the way back. */
export function WizardHeader({
  position,
  title,
  back,
}: {
  position: { number: number; of: number };
  title: string;
  back?: { to: string; label: string } | null;
}) {
  return (
    <header className="wizard-header">
      {back ? (
        <p className="back-link">
          <Link to={back.to}>← {back.label}</Link>
        </p>
      ) : null}
      <p className="step-indicator">{`Step ${position.number} of ${position.of}`}</p>
      <h1>{title}</h1>
    </header>
  );
}

/** A field's errors, tied to it by id (the field points here with aria-describedby). */
export function FieldError({ id, errors }: { id: string; errors?: string[] | null }) {
  return (
    <p id={id} className="field-error" aria-live="polite">
      {errors?.length ? errors.join(" ") : null}
    </p>
  );
}

/** A submit button that says it is working while its form is on its way (JavaScript on). */
export function SubmitButton({
  children,
  pendingText,
  name,
  value,
  primary = true,
}: {
  children: ReactNode;
  pendingText: string;
  name?: string;
  value?: string;
  primary?: boolean;
}) {
  const navigation = useNavigation();
  const pending =
    navigation.state === "submitting" &&
    (name === undefined || navigation.formData?.get(name) === value);
  return (
    <button
      type="submit"
      name={name}
      value={value}
      className={primary ? "button button-primary" : "button"}
      aria-disabled={pending || undefined}
      onClick={(event) => {
        if (pending) event.preventDefault(); // one submission at a time
      }}
    >
      {pending ? pendingText : children}
    </button>
  );
}

/** A message for the whole page (a taken slot, an expired draft), announced when it appears. */
export function Notice({
  children,
  tone = "info",
}: {
  children: ReactNode;
  tone?: "info" | "error";
}) {
  return (
    <div className={`notice notice-${tone}`} role={tone === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

/** One row of a summary list; `change` links back to the step that set it. */
export function SummaryRow({
  term,
  change,
  children,
}: {
  term: string;
  change?: { to: string; what: string };
  children: ReactNode;
}) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>
        <span>{children}</span>
        {change ? (
          <Link to={change.to} className="change-link">
            Change<span className="visually-hidden"> {change.what}</span>
          </Link>
        ) : null}
      </dd>
    </div>
  );
}

export type Choice = { value: string; title: string; meta: string; text: string };

/** A radio group of cards (sessions, coaches), with its error below and tied to it. */
export function ChoiceList({
  legend,
  field,
  choices,
  chosen,
}: {
  legend: string;
  field: { id: string; name: string; errorId: string; errors?: string[] | null };
  choices: Choice[];
  chosen: string | null | undefined;
}) {
  return (
    <>
      <fieldset
        className="choice-list"
        aria-describedby={field.errorId}
        aria-invalid={field.errors ? true : undefined}
      >
        <legend className="visually-hidden">{legend}</legend>
        {choices.map((choice, index) => (
          <label key={choice.value} className="choice">
            <input
              type="radio"
              // The first option is where the error summary's link lands.
              id={index === 0 ? field.id : undefined}
              name={field.name}
              value={choice.value}
              defaultChecked={chosen === choice.value}
            />
            <span className="choice-body">
              <span className="choice-title">{choice.title}</span>
              <span className="choice-meta">{choice.meta}</span>
              <span className="choice-text">{choice.text}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <FieldError id={field.errorId} errors={field.errors} />
    </>
  );
}

/** What the public pages say before the practice has anything a client can book. */
export function NotTakingBookings() {
  return (
    <p className="notice" role="status">
      We’re not taking bookings online yet. Please check back soon.
    </p>
  );
}
