import type { MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { getPracticeSummary, listPublicCatalogue } from "~/catalogue/catalogue.server";
import { formatDuration, formatPrice, timezoneCity } from "~/lib/format";
import { NotTakingBookings } from "~/components/wizard";
import { getDb } from "~db/database.server";
import type { PageHandle } from "~/components/page-title";

export const handle: PageHandle = { title: "Book a session" };

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { name: "description", content: data?.practice.tagline ?? "Book a coaching session online." },
];

export function loader() {
  const db = getDb();
  return { practice: getPracticeSummary(db), ...listPublicCatalogue(db) };
}

export default function Home() {
  const { practice, services, coaches } = useLoaderData<typeof loader>();
  return (
    <>
      <section className="hero" aria-labelledby="practice-name">
        <h1 id="practice-name">{practice.name}</h1>
        {practice.tagline ? <p className="tagline">{practice.tagline}</p> : null}
        {services.length ? (
          <>
            <p>
              Pick a session, a coach and a time that suits you. Times are shown in your own
              timezone.
            </p>
            <Link to="/book" className="button button-primary">
              Book a session
            </Link>
          </>
        ) : (
          <NotTakingBookings />
        )}
      </section>

      {services.length ? (
        <section aria-labelledby="services-heading">
          <h2 id="services-heading">Sessions</h2>
          <ul className="card-list" role="list">
            {services.map((service) => (
              <li key={service.id} className="card">
                <h3>{service.name}</h3>
                <p className="card-meta">
                  <span>{formatDuration(service.durationMinutes)}</span>
                  <span aria-hidden="true"> · </span>
                  <span className="price">{formatPrice(service.priceMinor, service.currency)}</span>
                </p>
                <p>{service.description}</p>
                <p className="card-small">With {service.coachNames.join(" or ")}</p>
                <Form method="post" action="/book/service">
                  <input type="hidden" name="service" value={service.slug} />
                  <button type="submit" className="button" aria-label={`Book: ${service.name}`}>
                    Book
                  </button>
                </Form>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {coaches.length ? (
        <section aria-labelledby="coaches-heading">
          <h2 id="coaches-heading">Coaches</h2>
          <ul className="card-list" role="list">
            {coaches.map((coach) => (
              <li key={coach.id} className="card">
                {coach.photoUrl ? (
                  <img src={coach.photoUrl} alt="" className="coach-photo" width={72} height={72} />
                ) : null}
                <h3>{coach.name}</h3>
                <p className="card-small">Based in {timezoneCity(coach.timezone)}</p>
                <p>{coach.bio}</p>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
