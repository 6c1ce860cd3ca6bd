import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { loadWizard } from "~/wizard/wizard.server";
import { STEP_PATH } from "~/wizard/step-names";
import { getDb } from "~db/database.server";

/** `/book` takes the client to where they left off (or the start), keeping a preselected session. */
export async function loader({ request }: LoaderFunctionArgs) {
  const wizard = await loadWizard(request, getDb(), new Date());
  const service = new URL(request.url).searchParams.get("service");
  if (wizard.firstIncomplete === "service" && service) {
    return redirect(`${STEP_PATH.service}?service=${encodeURIComponent(service)}`);
  }
  return redirect(STEP_PATH[wizard.firstIncomplete]);
}
