/**
 * /coach/services (the owner only): every service, active or not, with its price, length, who gives
 * it, where it takes place and how often it was booked, and the way to add one. A service's own
 * page (/coach/services/<id>, coach.services.$id.tsx) nests under this route and takes the list's
 * place when it is open.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData, useOutlet } from "@remix-run/react";
import { listServicesForAdmin, type ServiceListing } from "~/catalogue/services-admin.server";
import { Done } from "~/components/coach";
import { requireOwner } from "~/http/auth.server";
import { formatDuration, formatPrice } from "~/lib/format";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle = { title: "Services · Coach area" };

const PLACES: Record<ServiceListing["locationKind"], string> = {
  none: "Not said",
  video_fixed: "Coach’s video link",
  video_room: "Video room per booking",
  address: "In person",
  phone: "Phone call",
};

const BADGES: Record<string, string> = {
  Active: "",
  "Active, not bookable yet": "badge-warning",
  Deactivated: "badge-inactive",
};

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOwner(request);
  const done = new URL(request.url).searchParams.get("done");
  return {
    services: listServicesForAdmin(getDb()).map((service) => ({
      id: service.id,
      name: service.name,
      status: !service.active
        ? "Deactivated"
        : service.bookable
          ? "Active"
          : "Active, not bookable yet",
      active: service.active,
      length: formatDuration(service.durationMinutes),
      price: formatPrice(service.priceMinor, service.currency),
      coaches: service.coachNames.join(", ") || "Nobody yet",
      place: PLACES[service.locationKind],
      questions: service.questionCount,
      bookings: service.bookingCount,
    })),
    done: done === "deleted" ? "The service is deleted." : null,
  };
}

export default function Services() {
  const outlet = useOutlet();
  const { services, done } = useLoaderData<typeof loader>();
  if (outlet) return outlet;
  return (
    <div className="coach-page">
      <h1>Services</h1>
      {done ? <Done>{done}</Done> : null}
      <p>
        <Link to="/coach/services/new" className="button button-primary">
          Add a service
        </Link>
      </p>
      {services.length ? (
        <div className="table-scroll">
          <table className="bookings">
            <caption className="visually-hidden">Services</caption>
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Status</th>
                <th scope="col">Price</th>
                <th scope="col">Given by</th>
                <th scope="col">Where</th>
                <th scope="col">Bookings</th>
              </tr>
            </thead>
            <tbody>
              {services.map((service) => (
                <tr key={service.id}>
                  <td>
                    <Link to={`/coach/services/${service.id}`}>{service.name}</Link>
                    <span className="cell-note">
                      {service.length}
                      {service.questions
                        ? `, ${service.questions} question${service.questions === 1 ? "" : "s"}`
                        : ""}
                    </span>
                  </td>
                  <td>
                    <span className={`badge ${BADGES[service.status]}`}>{service.status}</span>
                  </td>
                  <td>{service.price}</td>
                  <td>{service.coaches}</td>
                  <td>{service.place}</td>
                  <td>{service.bookings}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p>No services yet.</p>
      )}
    </div>
  );
}
