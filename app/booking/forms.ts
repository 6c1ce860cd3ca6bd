import type { Submission } from "@conform-to/react";

/**
 * The reply for a submission that passed its schema but failed a server check (an unknown id, a
 * taken slot): the typed values come back with a message next to the field.
 */
export function schemaErrors<Output>(
  submission: Submission<Output>,
  fieldErrors: Record<string, string>,
) {
  return submission.reply({
    fieldErrors: Object.fromEntries(
      Object.entries(fieldErrors).map(([field, message]) => [field, [message]]),
    ),
  });
}
