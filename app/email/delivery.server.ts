/**
 * How queued emails leave: over SMTP (`SMTP_URL`) with nodemailer, or, without SMTP (the demo, a
 * practice still setting up), as `.eml` files in the data folder, readable in any mail program and
 * on the coach's Outbox page. Either way the message is the same: its Message-ID fixed when it was
 * queued, plain text and HTML, and the calendar invite both as the part calendars act on and as an
 * `invite.ics` attachment.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import nodemailer from "nodemailer";
import type Mail from "nodemailer/lib/mailer";
import type { QueuedEmail } from "./outbox.server";

export type Transport = {
  /** Where emails go, for start-up's log and the Outbox page. */
  describe: string;
  send: (email: QueuedEmail) => Promise<void>;
};

/** The message nodemailer builds for a queued email. */
export function messageOf(email: QueuedEmail, from: string): Mail.Options {
  return {
    from,
    to: email.recipient,
    subject: email.subject,
    text: email.textBody,
    ...(email.htmlBody ? { html: email.htmlBody } : {}),
    messageId: email.messageId,
    ...(email.ics
      ? {
          icalEvent: {
            method: /^METHOD:CANCEL\r?$/m.test(email.ics) ? "CANCEL" : "REQUEST",
            filename: "invite.ics",
            content: email.ics,
          },
        }
      : {}),
  };
}

/** SMTP, with time limits so that a server that stops answering fails the attempt. */
export function smtpTransport(smtpUrl: string, from: string): Transport {
  const transporter = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
  const { host, port } = new URL(smtpUrl);
  return {
    describe: `SMTP at ${host}:${port || "(default port)"}`,
    send: async (email) => {
      await transporter.sendMail(messageOf(email, from));
    },
  };
}

/** No SMTP: each email becomes `<folder>/<queued time>-<id>-<kind>.eml`. */
export function folderTransport(folder: string, from: string): Transport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true });
  return {
    describe: `no SMTP_URL: emails are written to ${folder} and shown on the coach's Outbox page`,
    send: async (email) => {
      const info = await transporter.sendMail(messageOf(email, from));
      mkdirSync(folder, { recursive: true });
      const stamp = email.createdAt.toISOString().replace(/[:.]/g, "-");
      writeFileSync(join(folder, `${stamp}-${email.id}-${email.kind}.eml`), info.message as Buffer);
    },
  };
}
