/**
 * /coach/services/<id>, and /coach/services/new to create one (the owner only): one form for
 * everything about a service (app/components/service-form.tsx), and small forms to deactivate or
 * reactivate it, or delete it when it was never booked. Plain forms: a POST answers 303 back with
 * what happened, or 400 with the messages by the fields and everything typed kept. An id that is
 * not a service's is a 404.
 */
import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import {
  createService,
  currencyChoices,
  deleteUnbookedService,
  findServiceForEditing,
  formValuesOf,
  listCoachOptions,
  MAX_QUESTIONS,
  serviceFormSchema,
  setServiceActive,
  updateService,
  usualCurrency,
} from "~/catalogue/services-admin.server";
import { Done } from "~/components/coach";
import {
  BLANK_QUESTION,
  BLANK_QUESTION_ROWS,
  ServiceFields,
  type ServiceFormShape,
} from "~/components/service-form";
import { Notice, SubmitButton } from "~/components/wizard";
import { notFound, requireOwner } from "~/http/auth.server";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle<{ service?: { name: string } | null }> = {
  title: (data) => `${data?.service?.name ?? "New service"} · Services`,
};

const DONE: Record<string, string> = {
  created: "The service is created.",
  saved: "Saved. Bookings already made keep the price, place and answers they were made with.",
  deactivated: "Deactivated: clients can no longer see or book it. Its bookings stay as they are.",
  activated: "Active again: clients can book it.",
};

/** "new", or the id of an existing service; a 404 for anything else. */
function serviceOf(param: string | undefined) {
  if (param === "new") return null;
  const service = /^[1-9]\d{0,9}$/.test(param ?? "")
    ? findServiceForEditing(getDb(), Number(param))
    : null;
  if (!service) throw notFound();
  return service;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireOwner(request);
  const db = getDb();
  const service = serviceOf(params.id);
  const values = formValuesOf(service, usualCurrency(db));
  const blankRows = Math.max(
    0,
    Math.min(BLANK_QUESTION_ROWS, MAX_QUESTIONS - values.questions.length),
  );
  const url = new URL(request.url);
  return {
    service: service && {
      id: service.id,
      name: service.name,
      active: service.active,
      bookable: service.bookable,
      bookingCount: service.bookingCount,
    },
    values: {
      ...values,
      questions: [...values.questions, ...Array.from({ length: blankRows }, () => BLANK_QUESTION)],
    },
    coaches: listCoachOptions(db).map((coach) => ({
      id: String(coach.id),
      name: coach.name,
      active: coach.active,
      hasVideoLink: coach.videoLink !== null,
    })),
    currencies: currencyChoices(service?.currency).map((code) => ({
      value: code,
      label: code.toUpperCase(),
    })),
    confirmingDelete: url.searchParams.get("do") === "delete" && service?.bookingCount === 0,
    done: DONE[url.searchParams.get("done") ?? ""] ?? null,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  await requireOwner(request);
  const db = getDb();
  const service = serviceOf(params.id);
  const formData = await request.formData();
  const intent = formData.get("intent");
  if (intent === "save") {
    const schema = serviceFormSchema({
      coaches: listCoachOptions(db),
      currencies: currencyChoices(service?.currency),
    });
    const submission = parseWithZod(formData, { schema });
    if (submission.status !== "success")
      return data({ form: submission.reply(), message: null }, { status: 400 });
    if (!service) {
      const id = createService(db, submission.value);
      return redirect(`/coach/services/${id}?done=created`, 303);
    }
    updateService(db, service.id, submission.value);
    return redirect(`/coach/services/${service.id}?done=saved`, 303);
  }
  if (service && (intent === "deactivate" || intent === "activate")) {
    setServiceActive(db, service.id, intent === "activate");
    return redirect(`/coach/services/${service.id}?done=${intent}d`, 303);
  }
  if (service && intent === "delete") {
    if (deleteUnbookedService(db, service.id) === "has_bookings")
      return data(
        {
          form: null,
          message: "This service has bookings, so it can’t be deleted: deactivate it.",
        },
        { status: 409 },
      );
    return redirect("/coach/services?done=deleted", 303);
  }
  return data({ form: null, message: "Use the buttons on this page." }, { status: 400 });
}

export default function ServicePage() {
  const { service, values, coaches, currencies, confirmingDelete, done } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [form, fields] = useForm<ServiceFormShape>({
    id: "service",
    lastResult: result?.form,
    defaultValue: values,
    shouldValidate: "onBlur",
  });
  return (
    <div className="coach-page">
      <p className="back-link">
        <Link to="/coach/services">← Services</Link>
      </p>
      <h1>
        {service ? service.name : "New service"}{" "}
        {service && !service.active ? (
          <span className="badge badge-inactive">Deactivated</span>
        ) : null}
      </h1>
      {done ? <Done>{done}</Done> : null}
      {result?.message ? <Notice tone="error">{result.message}</Notice> : null}
      {form.errors?.length ? <Notice tone="error">{form.errors.join(" ")}</Notice> : null}
      {service?.active && !service.bookable ? (
        <Notice>
          Clients can’t book it yet: tick a coach who gives it below, and make sure they have
          working hours.
        </Notice>
      ) : null}

      <Form method="post" {...getFormProps(form)} noValidate>
        <input type="hidden" name="intent" value="save" />
        <ServiceFields fields={fields} coaches={coaches} currencies={currencies} />
        <SubmitButton pendingText="Saving…">{service ? "Save" : "Create the service"}</SubmitButton>
      </Form>

      {service ? <StatusForms service={service} confirmingDelete={confirmingDelete} /> : null}
    </div>
  );
}

function StatusForms({
  service,
  confirmingDelete,
}: {
  service: { name: string; active: boolean; bookingCount: number };
  confirmingDelete: boolean;
}) {
  const booked = `${service.bookingCount} booking${service.bookingCount === 1 ? "" : "s"}`;
  return (
    <section aria-labelledby="status-heading">
      <h2 id="status-heading">{service.active ? "Deactivate" : "Reactivate"}</h2>
      <Form method="post">
        <input type="hidden" name="intent" value={service.active ? "deactivate" : "activate"} />
        <p>
          {service.active
            ? `Deactivating hides it from the home page and the booking pages. Its ${booked} stay as they are.`
            : "Deactivated: clients can’t see or book it. Reactivating offers it again."}
        </p>
        <SubmitButton pendingText="Working…" primary={false}>
          {service.active ? "Deactivate" : "Reactivate"}
        </SubmitButton>
      </Form>
      {service.bookingCount > 0 ? (
        <p className="hint">It has {booked}, so it can’t be deleted.</p>
      ) : confirmingDelete ? (
        <Form method="post" className="confirm">
          <input type="hidden" name="intent" value="delete" />
          <h3>Delete {service.name}?</h3>
          <p>It has never been booked. It goes for good, with its questions.</p>
          <div className="button-row">
            <SubmitButton pendingText="Deleting…">Delete</SubmitButton>
            <Link to="." className="button">
              Go back
            </Link>
          </div>
        </Form>
      ) : (
        <p>
          <Link to="?do=delete" className="button">
            Delete…
          </Link>
        </p>
      )}
    </section>
  );
}
