/**
 * Form fields more than one form asks for, with the same rules and words everywhere. `zod/mini`, so
 * they tree-shake in the browser bundles that validate as the client types.
 */
import * as z from "zod/mini";

/** A client's email address: trimmed, at most 254 characters, shaped like name@example.com. */
export const emailAddress = z.pipe(
  z
    .string({ error: "Enter your email address." })
    .check(z.trim(), z.maxLength(254, "Your email address can be at most 254 characters.")),
  z.email("Enter an email address like name@example.com."),
);
