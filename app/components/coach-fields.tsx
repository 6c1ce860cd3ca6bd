/**
 * The fields of a coach's profile, shared by the "add a coach" and "edit a coach" forms.
 */
import {
  getInputProps,
  getSelectProps,
  getTextareaProps,
  type FieldMetadata,
} from "@conform-to/react";
import { FieldError } from "./wizard";

/** The profile as the form holds it: text in every field. */
export type CoachForm = Record<
  "name" | "email" | "timezone" | "bio" | "photoUrl" | "videoLink",
  string
>;

export function CoachFields({
  fields,
  timezones,
}: {
  fields: { [K in keyof CoachForm]: FieldMetadata<string, CoachForm> };
  timezones: { value: string; label: string }[];
}) {
  return (
    <>
      <div className="field">
        <label htmlFor={fields.name.id}>Name</label>
        <input
          {...getInputProps(fields.name, { type: "text" })}
          autoComplete="name"
          maxLength={100}
        />
        <FieldError id={fields.name.errorId} errors={fields.name.errors} />
      </div>
      <div className="field">
        <label htmlFor={fields.email.id}>
          Email (they sign in with it, and hear of new bookings)
        </label>
        <input {...getInputProps(fields.email, { type: "email" })} autoComplete="email" />
        <FieldError id={fields.email.errorId} errors={fields.email.errors} />
      </div>
      <div className="field">
        <label htmlFor={fields.timezone.id}>Their timezone (their hours are read in it)</label>
        <select {...getSelectProps(fields.timezone)}>
          {timezones.map((zone) => (
            <option key={zone.value} value={zone.value}>
              {zone.label}
            </option>
          ))}
        </select>
        <FieldError id={fields.timezone.errorId} errors={fields.timezone.errors} />
      </div>
      <div className="field">
        <label htmlFor={fields.bio.id}>
          Bio <span className="optional">(optional)</span>
        </label>
        <textarea {...getTextareaProps(fields.bio)} rows={3} maxLength={1000} />
        <FieldError id={fields.bio.errorId} errors={fields.bio.errors} />
      </div>
      <div className="field">
        <label htmlFor={fields.photoUrl.id}>
          Photo address <span className="optional">(optional, https://…)</span>
        </label>
        <input {...getInputProps(fields.photoUrl, { type: "url" })} />
        <FieldError id={fields.photoUrl.errorId} errors={fields.photoUrl.errors} />
      </div>
      <div className="field">
        <label htmlFor={fields.videoLink.id}>
          Their video room <span className="optional">(optional, for sessions held there)</span>
        </label>
        <input {...getInputProps(fields.videoLink, { type: "url" })} />
        <FieldError id={fields.videoLink.errorId} errors={fields.videoLink.errors} />
      </div>
    </>
  );
}
