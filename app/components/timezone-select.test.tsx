import { isValidElement, type ReactElement, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { timezoneGroups } from "~/lib/timezones";
import { TimezoneSelect } from "./timezone-select";

const JANUARY = new Date("2026-01-15T12:00:00Z");
const groups = timezoneGroups({
  current: "Europe/Berlin",
  suggested: ["Europe/London"],
  now: JANUARY,
  regions: "suggested",
});

const props = {
  label: "Show times in",
  id: "timezone",
  name: "timezone",
  defaultValue: "Europe/Berlin",
  groups,
  "aria-describedby": "timezone-error",
};

/** Every element the component renders itself (not inside other components). */
function elements(node: ReactNode): ReactElement<Record<string, unknown>>[] {
  if (Array.isArray(node)) return node.flatMap(elements);
  if (!isValidElement<Record<string, unknown>>(node)) return [];
  return [node, ...elements(node.props.children as ReactNode)];
}

describe("TimezoneSelect", () => {
  it("labels the select and groups its options, the zone shown selected", () => {
    const html = renderToStaticMarkup(<TimezoneSelect {...props} aria-invalid />);
    expect(html).toMatch(/^<label for="timezone">Show times in<\/label><select /);
    expect(html).toContain(
      '<select id="timezone" name="timezone" aria-describedby="timezone-error" aria-invalid="true">',
    );
    expect([...html.matchAll(/<optgroup label="([^"]+)">/g)].map((m) => m[1])).toEqual([
      "Suggested",
      "Europe",
    ]);
    expect(html).toContain('<option value="Europe/London">London (GMT)</option>');
    // Berlin is in Suggested and in Europe: both carry the selection, the same zone either way.
    const selected = [...html.matchAll(/<option value="([^"]+)" selected="">/g)].map((m) => m[1]);
    expect(new Set(selected)).toEqual(new Set(["Europe/Berlin"]));
  });

  it("puts the caller's button beside the select", () => {
    const html = renderToStaticMarkup(
      <TimezoneSelect {...props}>
        <button type="submit">Update times</button>
      </TimezoneSelect>,
    );
    expect(html).toMatch(
      /<\/label><div class="inline-field"><select [^>]*>.*<\/select><button type="submit">Update times<\/button><\/div>$/,
    );
  });

  it("takes the props Conform gives a select, its form's id included", () => {
    const conformProps = {
      key: undefined,
      id: "field-tz",
      name: "timezone",
      form: "coach-form",
      required: true,
      "aria-describedby": "field-tz-error",
      "aria-invalid": undefined,
      defaultValue: "Europe/London" as string | number | readonly string[] | undefined,
    };
    const html = renderToStaticMarkup(
      <TimezoneSelect label="Timezone" groups={groups} {...conformProps} />,
    );
    expect(html).toContain(
      '<select id="field-tz" name="timezone" form="coach-form" required="" aria-describedby="field-tz-error">',
    );
    expect(html).toContain('<option value="Europe/London" selected="">');
  });

  it("never acts on a change or a key by itself", () => {
    const rendered = elements(TimezoneSelect(props));
    expect(rendered.some((element) => element.type === "select")).toBe(true);
    for (const element of rendered)
      expect(Object.keys(element.props).filter((prop) => /^on[A-Z]/.test(prop))).toEqual([]);
  });
});
