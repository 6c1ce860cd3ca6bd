/** The wizard's steps, their addresses and titles: shared by server code and the pages. */
export const STEPS = ["service", "coach", "time", "details", "review"] as const;
export type Step = (typeof STEPS)[number];

export const STEP_PATH: Record<Step, string> = {
  service: "/book/service",
  coach: "/book/coach",
  time: "/book/time",
  details: "/book/details",
  review: "/book/review",
};

export const STEP_TITLE: Record<Step, string> = {
  service: "Choose a session",
  coach: "Choose a coach",
  time: "Choose a day and time",
  details: "Your details",
  review: "Review and confirm",
};
