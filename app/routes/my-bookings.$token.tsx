/**
 * /my-bookings/<token>: the emailed link. Opening it changes nothing (mail scanners open links
 * too); its button uses the link, once, and shows the list. A used or expired link says so and
 * offers a new one.
 */
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { isBookingsLinkUsable, redeemBookingsLink } from "~/booking/my-bookings.server";
import { SubmitButton } from "~/components/wizard";
import { clientEmailCookie } from "~/http/my-bookings-cookie.server";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle = { title: "My bookings" };

export const meta: MetaFunction = () => [{ name: "robots", content: "noindex" }];

export async function loader({ params }: LoaderFunctionArgs) {
  const usable = isBookingsLinkUsable(getDb(), params.token ?? "", new Date());
  return data({ usable }, { status: usable ? 200 : 410 });
}

export async function action({ params }: ActionFunctionArgs) {
  const email = redeemBookingsLink(getDb(), params.token ?? "", new Date());
  if (!email) return data({ usable: false }, { status: 410 });
  return redirect("/my-bookings", {
    status: 303,
    headers: { "Set-Cookie": await clientEmailCookie(email) },
  });
}

export default function UseBookingsLink() {
  const { usable } = useLoaderData<typeof loader>();
  return (
    <div className="wizard">
      <h1>My bookings</h1>
      {usable ? (
        <Form method="post">
          <p>This link shows the bookings made with your email address. It works once.</p>
          <SubmitButton pendingText="Opening…">Show my bookings</SubmitButton>
        </Form>
      ) : (
        <>
          <p>This link has been used already, or is more than 15 minutes old.</p>
          <p>
            <Link to="/my-bookings" className="button button-primary">
              Get a new link
            </Link>
          </p>
        </>
      )}
    </div>
  );
}
