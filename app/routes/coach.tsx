import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Outlet, useLoaderData } from "@remix-run/react";
import { CoachNav } from "~/components/coach";
import { requireUser } from "~/http/auth.server";

export const meta: MetaFunction = () => [{ title: "Coach area · Kairos" }];

/** The coach area's frame. Each page below guards its own loader and action too. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return { owner: user.role === "owner", name: user.name };
}

export default function CoachArea() {
  const { owner, name } = useLoaderData<typeof loader>();
  return (
    <div className="coach-area">
      <CoachNav owner={owner} name={name} />
      <Outlet />
    </div>
  );
}
