/**
 * Small charts for the coach's dashboard, drawn as inline SVG so that they need no JavaScript and
 * no stylesheet: bars take the text colour (`currentColor`), so they follow whatever colour the
 * surrounding element has. The site's CSP forbids `style` attributes; sizes and colours are SVG
 * presentation attributes only.
 *
 * Each chart is one image to assistive technology (`role="img"`, named by a `<title>` that sums the
 * data up in a sentence), followed by a visually hidden table with every number, so nothing is
 * only in the picture.
 */
import { useId } from "react";

/** One local day (`YYYY-MM-DD`) and the bookings made on it (`DayCount` in stats.server.ts). */
export type DayBar = { date: string; bookings: number };

/** One stage of a funnel, in the order a client passes them. */
export type FunnelStage = { label: string; count: number };

/** The funnel from `monthNumbers` as stages; the review stage only when it is known (the owner). */
export function funnelStages(funnel: {
  reachedReview: number | null;
  payPressed: number;
  paid: number;
  confirmed: number;
}): FunnelStage[] {
  return [
    ...(funnel.reachedReview === null
      ? []
      : [{ label: "Reached review", count: funnel.reachedReview }]),
    { label: "Pressed Pay", count: funnel.payPressed },
    { label: "Paid", count: funnel.paid },
    { label: "Confirmed", count: funnel.confirmed },
  ];
}

const DAY = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", timeZone: "UTC" });

/** "2026-03-14" → "14 March", the same on the server and in every browser. */
export function dayLabel(date: string): string {
  const [year, month, day] = date.split("-").map(Number);
  return DAY.format(new Date(Date.UTC(year!, month! - 1, day!)));
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The sentence that names the bookings chart: its total and its busiest day. */
export function describeDays(days: DayBar[], caption: string): string {
  const total = days.reduce((sum, day) => sum + day.bookings, 0);
  if (total === 0) return `${caption}: no bookings.`;
  const busiest = days.reduce((best, day) => (day.bookings > best.bookings ? day : best));
  return (
    `${caption}: ${plural(total, "booking", "bookings")} in total; ` +
    `the busiest day was ${dayLabel(busiest.date)}, with ${busiest.bookings}.`
  );
}

/** The sentence that names the funnel chart: each stage, and its share of the first. */
export function describeFunnel(stages: FunnelStage[], caption: string): string {
  const first = stages[0]?.count ?? 0;
  const parts = stages.map((stage, i) =>
    i === 0 || first === 0
      ? `${stage.label}: ${stage.count}`
      : `${stage.label}: ${stage.count} (${share(stage.count, first)})`,
  );
  return `${caption}. ${parts.join(", ")}.`;
}

/** "60%" of the first stage, rounded. */
function share(count: number, first: number): string {
  return `${Math.round((count / first) * 100)}%`;
}

const BAR_WIDTH = 10;
const BAR_GAP = 2;
const CHART_HEIGHT = 100;

/**
 * Bookings per day as vertical bars, one per day of the month. The drawing stretches to the width
 * it is given (`width="100%"`), `height` pixels tall.
 */
export function BookingsPerDayChart({
  days,
  caption,
  height = 120,
  className = "chart",
}: {
  days: DayBar[];
  /** What the chart shows, e.g. "Bookings per day, March 2026". */
  caption: string;
  height?: number;
  className?: string;
}) {
  const titleId = useId();
  const max = Math.max(1, ...days.map((day) => day.bookings));
  const width = days.length * (BAR_WIDTH + BAR_GAP);
  return (
    <figure className={className}>
      <svg
        role="img"
        aria-labelledby={titleId}
        viewBox={`0 0 ${Math.max(width, 1)} ${CHART_HEIGHT}`}
        preserveAspectRatio="none"
        width="100%"
        height={height}
        focusable="false"
      >
        <title id={titleId}>{describeDays(days, caption)}</title>
        <line
          x1={0}
          x2={width}
          y1={CHART_HEIGHT - 0.5}
          y2={CHART_HEIGHT - 0.5}
          stroke="currentColor"
          strokeOpacity={0.3}
          vectorEffect="non-scaling-stroke"
        />
        {days.map((day, i) => {
          const barHeight = (day.bookings / max) * (CHART_HEIGHT - 4);
          return (
            <rect
              key={day.date}
              x={i * (BAR_WIDTH + BAR_GAP) + BAR_GAP / 2}
              y={CHART_HEIGHT - barHeight}
              width={BAR_WIDTH}
              height={barHeight}
              fill="currentColor"
            >
              <title>{`${dayLabel(day.date)}: ${plural(day.bookings, "booking", "bookings")}`}</title>
            </rect>
          );
        })}
      </svg>
      <table className="visually-hidden">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Bookings</th>
          </tr>
        </thead>
        <tbody>
          {days.map((day) => (
            <tr key={day.date}>
              <th scope="row">{dayLabel(day.date)}</th>
              <td>{day.bookings}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

const FUNNEL_WIDTH = 480;
const LABEL_WIDTH = 130;
const ROW_HEIGHT = 32;
const BAR_HEIGHT = 20;

/**
 * A funnel as horizontal bars, widest first: each stage's label, bar and count. It scales to the
 * width it is given, keeping its proportions.
 */
export function FunnelChart({
  stages,
  caption,
  className = "chart",
}: {
  stages: FunnelStage[];
  /** What the chart shows, e.g. "Payment funnel, March 2026". */
  caption: string;
  className?: string;
}) {
  const titleId = useId();
  const max = Math.max(1, ...stages.map((stage) => stage.count));
  const first = stages[0]?.count ?? 0;
  const barSpace = FUNNEL_WIDTH - LABEL_WIDTH - 50;
  return (
    <figure className={className}>
      <svg
        role="img"
        aria-labelledby={titleId}
        viewBox={`0 0 ${FUNNEL_WIDTH} ${Math.max(stages.length, 1) * ROW_HEIGHT}`}
        width="100%"
        fontSize={14}
        focusable="false"
      >
        <title id={titleId}>{describeFunnel(stages, caption)}</title>
        {stages.map((stage, i) => {
          const y = i * ROW_HEIGHT;
          const barWidth = (stage.count / max) * barSpace;
          return (
            <g key={stage.label}>
              <text x={0} y={y + ROW_HEIGHT / 2} dominantBaseline="middle" fill="currentColor">
                {stage.label}
              </text>
              <rect
                x={LABEL_WIDTH}
                y={y + (ROW_HEIGHT - BAR_HEIGHT) / 2}
                width={barSpace}
                height={BAR_HEIGHT}
                fill="currentColor"
                fillOpacity={0.12}
              />
              <rect
                x={LABEL_WIDTH}
                y={y + (ROW_HEIGHT - BAR_HEIGHT) / 2}
                width={barWidth}
                height={BAR_HEIGHT}
                fill="currentColor"
              />
              <text
                x={LABEL_WIDTH + barSpace + 8}
                y={y + ROW_HEIGHT / 2}
                dominantBaseline="middle"
                fill="currentColor"
              >
                {stage.count}
              </text>
            </g>
          );
        })}
      </svg>
      <table className="visually-hidden">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Stage</th>
            <th scope="col">Count</th>
            <th scope="col">Share of first stage</th>
          </tr>
        </thead>
        <tbody>
          {stages.map((stage) => (
            <tr key={stage.label}>
              <th scope="row">{stage.label}</th>
              <td>{stage.count}</td>
              <td>{first === 0 ? "–" : share(stage.count, first)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
