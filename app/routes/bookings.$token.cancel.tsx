/**
 * /bookings/<token>/cancel: the step that asks before cancelling, stating what the policy refunds
 * now; the POST cancels (refunding through Stripe) and answers 303 to the manage page. The amount
 * shown travels with the form: if it is no longer what the policy gives (time passed a tier), the
 * client is asked again with the new amount rather than refunded something they were not told.
 */
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { notFound } from "~/http/auth.server";
import { publicUrl } from "~/http/public-url.server";
import { formatPrice } from "~/lib/format";
import { getStripe } from "~/lib/stripe.server";
import { formatSession } from "~/lib/time-format";
import { describePolicy } from "~/catalogue/policy.server";
import { cancelForClient, managedBookingWithRefund } from "~/payments/cancellation.server";
import { Notice, SubmitButton } from "~/components/wizard";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle = { title: "Cancel your booking" };

export const meta: MetaFunction = () => [{ name: "robots", content: "noindex" }];

export async function loader({ params }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  const managed = managedBookingWithRefund(getDb(), token, new Date());
  if (!managed) throw notFound();
  const { booking } = managed;
  if (managed.cannotChange) throw redirect(`/bookings/${token}`, 303);
  return {
    back: `/bookings/${token}`,
    session: `${booking.serviceName} with ${booking.coachName}`,
    when: formatSession(booking.startAt, booking.endAt, booking.clientTimezone),
    paid: booking.priceMinor > 0,
    refundMinor: managed.refundNowMinor,
    refund: formatPrice(managed.refundNowMinor, booking.currency),
    price: formatPrice(booking.priceMinor, booking.currency),
    policy: describePolicy(managed.policy, { paid: booking.priceMinor > 0 }),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const token = params.token ?? "";
  const shown = String((await request.formData()).get("refund") ?? "");
  if (!/^\d{1,9}$/.test(shown))
    return data({ message: "Please use the button on this page to cancel." }, { status: 400 });
  const outcome = await cancelForClient(getDb(), getStripe(), token, {
    expectedRefundMinor: Number(shown),
    now: new Date(),
    appUrl: publicUrl(request),
  });
  if (outcome.ok) return redirect(`/bookings/${token}?done=cancelled`, 303);
  switch (outcome.refused) {
    case "not_found":
      throw notFound();
    case "not_confirmed":
    case "too_late":
      // The manage page says why (cancelled already, or too close to the session).
      return redirect(`/bookings/${token}`, 303);
    case "refund_changed":
      return data(
        {
          message:
            "The refund has changed since this page was shown, because the session is now closer. Please check the new amount below and confirm again.",
        },
        { status: 409 },
      );
    case "stripe_failed":
      return data(
        {
          message:
            "We could not make the refund just now, so nothing has changed: your booking stands. Please try again in a minute.",
        },
        { status: 502 },
      );
  }
}

export default function CancelBooking() {
  const view = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="wizard">
      <h1>Cancel your booking?</h1>
      {result?.message ? <Notice tone="error">{result.message}</Notice> : null}
      <p>
        {view.session}, {view.when}.
      </p>
      {view.paid ? (
        <p>
          <strong>
            {view.refundMinor > 0
              ? `You will be refunded ${view.refund} of the ${view.price} you paid.`
              : `None of the ${view.price} you paid will be refunded.`}
          </strong>{" "}
          That is what the practice&rsquo;s cancellation policy gives for cancelling now.
        </p>
      ) : (
        <p>This session is free: there is nothing to refund.</p>
      )}
      {view.policy.map((line) => (
        <p key={line} className="hint">
          {line}
        </p>
      ))}
      <Form method="post" className="action-list">
        <input type="hidden" name="refund" value={view.refundMinor} />
        <SubmitButton pendingText="Cancelling…">Yes, cancel it</SubmitButton>
        <Link to={view.back} className="button">
          No, keep my booking
        </Link>
      </Form>
    </div>
  );
}
