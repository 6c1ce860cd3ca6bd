import type { Submission } from "@conform-to/react";
import { data } from "@remix-run/node";

/**
 * A 400 for a submission that passed its schema but failed a server check (an unknown id): the
 * typed values come back with the message next to the field.
 */
export function rejectField<Output>(
  submission: Submission<Output>,
  field: string,
  message: string,
) {
  return data(submission.reply({ fieldErrors: { [field]: [message] } }), { status: 400 });
}
