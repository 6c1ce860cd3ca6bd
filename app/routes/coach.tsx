import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useLoaderData } from "@remix-run/react";
import { CoachNav } from "~/components/coach";
import { isSetUp, setupChecklist } from "~/coach/setup.server";
import { requireUser } from "~/http/auth.server";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle = { title: "Coach area" };

/** The coach area's frame. Each page below guards its own loader and action too. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const owner = user.role === "owner";
  return {
    owner,
    name: user.name,
    coachId: user.coachId,
    setUp: owner ? isSetUp(setupChecklist(getDb())) : true,
  };
}

export default function CoachArea() {
  const { owner, name, coachId, setUp } = useLoaderData<typeof loader>();
  return (
    <div className="coach-area">
      <CoachNav owner={owner} name={name} coachId={coachId} setUp={setUp} />
      <Outlet />
    </div>
  );
}
