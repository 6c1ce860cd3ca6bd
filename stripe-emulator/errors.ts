/** Errors shaped as Stripe sends them: `{"error":{"type":...,"message":...,"param":...}}`. */
export type StripeErrorType =
  "invalid_request_error" | "idempotency_error" | "card_error" | "api_error";

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: StripeErrorType,
    message: string,
    readonly details: { param?: string; code?: string } = {},
  ) {
    super(message);
  }

  toJSON() {
    return {
      error: {
        type: this.type,
        message: this.message,
        ...(this.details.param ? { param: this.details.param } : {}),
        ...(this.details.code ? { code: this.details.code } : {}),
      },
    };
  }
}

export const invalidRequest = (message: string, param?: string, code?: string) =>
  new StripeApiError(400, "invalid_request_error", message, { param, code });

export const missingParam = (param: string) =>
  invalidRequest(`Missing required param: ${param}.`, param, "parameter_missing");

export const noSuch = (kind: string, id: string, param: string, status = 404) =>
  new StripeApiError(status, "invalid_request_error", `No such ${kind}: '${id}'`, {
    param,
    code: "resource_missing",
  });
