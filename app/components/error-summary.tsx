/**
 * "There is a problem": the form's mistakes listed at the top of the page, each a link to its
 * field, and focused when the page comes back, so a screen reader reads them first and a keyboard
 * is one Tab from the first link. Without JavaScript the `autofocus` attribute in the HTML does
 * the focusing; with it, each new answer from the server moves focus here again.
 */
import { useEffect, useRef } from "react";

export type FieldProblem = { fieldId: string; message: string };

/** The problems of Conform's fields, in the form's order (the fields' own order). */
export function problemsOf(
  fields: Record<string, { id: string; errors?: string[] | null }>,
): FieldProblem[] {
  return Object.values(fields).flatMap((field) =>
    field.errors?.length ? [{ fieldId: field.id, message: field.errors[0]! }] : [],
  );
}

export function ErrorSummary({
  problems,
  answer,
}: {
  problems: FieldProblem[];
  /** The server's answer the problems came with: a new one focuses the summary again. */
  answer: unknown;
}) {
  const summary = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (answer && problems.length) summary.current?.focus();
  }, [answer, problems.length]);
  if (!problems.length) return null;
  return (
    <div
      ref={summary}
      className="error-summary"
      tabIndex={-1}
      // The one place focus must go when a form comes back with mistakes (GOV.UK's pattern).
      // eslint-disable-next-line jsx-a11y/no-autofocus
      autoFocus
      aria-labelledby="error-summary-title"
      role="alert"
    >
      <h2 id="error-summary-title">There is a problem</h2>
      <ul role="list">
        {problems.map((problem) => (
          <li key={problem.fieldId}>
            <a href={`#${problem.fieldId}`}>{problem.message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}
