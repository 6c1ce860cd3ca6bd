/**
 * A real SMTP server inside the test process (the `smtp-server` package, no TLS, any or no login)
 * for Kairos to send to: every message it accepts is parsed with mailparser and kept, and it can be
 * told to refuse what it is given (as a mail server that is full or down would) and to accept again.
 * Give it to Kairos as `SMTP_URL` (see `smtpEnv`).
 */
import { simpleParser, type ParsedMail } from "mailparser";
import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";

export type ReceivedMessage = {
  /** The envelope's recipients (RCPT TO), lower-cased. */
  to: string[];
  from: string | null;
  raw: Buffer;
  parsed: ParsedMail;
  receivedAt: number;
};

/** A message the server was given but refused (while refusing), with the reply it gave. */
export type RefusedMessage = { to: string[]; reply: string; at: number };

export type SmtpSink = {
  url: string;
  port: number;
  /** Every accepted message, in the order received. */
  messages: ReceivedMessage[];
  /** Every message refused while `refuse` was on. */
  refused: RefusedMessage[];
  /** Accepted messages whose envelope names this recipient. */
  messagesTo: (address: string) => ReceivedMessage[];
  /**
   * Resolves with the messages that match once at least `count` of them have arrived; rejects,
   * listing what did arrive, after `timeoutMs`.
   */
  waitForMessages: (
    predicate: (message: ReceivedMessage) => boolean,
    count?: number,
    timeoutMs?: number,
  ) => Promise<ReceivedMessage[]>;
  /** From now on, refuse every message after its data with this reply (451: try again later). */
  refuse: (reply?: { code: number; message: string }) => void;
  /** Accept messages again. */
  accept: () => void;
  stop: () => Promise<void>;
};

const addressesOf = (session: SMTPServerSession) =>
  session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase());

function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMessage[] = [];
  const refused: RefusedMessage[] = [];
  let refusal: { code: number; message: string } | null = null;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    closeTimeout: 1000,
    onData(stream, session, callback) {
      readAll(stream)
        .then(async (raw) => {
          if (refusal) {
            refused.push({
              to: addressesOf(session),
              reply: `${refusal.code} ${refusal.message}`,
              at: Date.now(),
            });
            const error = new Error(refusal.message) as Error & { responseCode: number };
            error.responseCode = refusal.code;
            return callback(error);
          }
          const mailFrom = session.envelope.mailFrom;
          messages.push({
            to: addressesOf(session),
            from: mailFrom ? mailFrom.address : null,
            raw,
            parsed: await simpleParser(raw),
            receivedAt: Date.now(),
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  const messagesTo = (address: string) =>
    messages.filter((message) => message.to.includes(address.toLowerCase()));

  async function waitForMessages(
    predicate: (message: ReceivedMessage) => boolean,
    count = 1,
    timeoutMs = 10_000,
  ): Promise<ReceivedMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = messages.filter(predicate);
      if (found.length >= count) return found;
      if (Date.now() > deadline) {
        const seen = messages.map((m) => `${m.to.join(",")}: ${m.parsed.subject ?? ""}`);
        throw new Error(
          `expected ${count} matching message(s) within ${timeoutMs} ms, got ${found.length}; ` +
            `received: ${JSON.stringify(seen)}; refused: ${JSON.stringify(refused)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    refused,
    messagesTo,
    waitForMessages,
    refuse: (reply = { code: 451, message: "Mailbox temporarily unavailable, try later" }) => {
      refusal = reply;
    },
    accept: () => {
      refusal = null;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The environment that sends Kairos's email to this server, looking every second. */
export const smtpEnv = (sink: SmtpSink): Record<string, string> => ({
  SMTP_URL: sink.url,
  EMAIL_SEND_INTERVAL_SECONDS: "1",
});

/** The text of every link in a message, from its plain text and its HTML hrefs. */
export function linksIn(message: ReceivedMessage): string[] {
  const text = message.parsed.text ?? "";
  const html = typeof message.parsed.html === "string" ? message.parsed.html : "";
  const fromText = [...text.matchAll(/https?:\/\/[^\s<>"')]+/g)].map((m) => m[0]);
  const fromHtml = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));
  return [...new Set([...fromText, ...fromHtml])];
}

/** The calendar parts of a message: the `text/calendar` alternative and the `invite.ics` file. */
export function invitePartsOf(message: ReceivedMessage) {
  const calendarPart = message.parsed.attachments.find((a) => a.contentType === "text/calendar");
  const file = message.parsed.attachments.find((a) => a.filename === "invite.ics");
  const contentType = calendarPart?.headers.get("content-type") as
    { value: string; params: Record<string, string> } | undefined;
  return {
    calendar: calendarPart?.content.toString("utf8") ?? null,
    method: contentType?.params.method ?? null,
    file: file?.content.toString("utf8") ?? null,
  };
}
