/** Every URL no other route claims: the root error boundary renders the styled 404. */
export function loader() {
  throw new Response("Not Found", { status: 404 });
}

export default function NotFound() {
  return null;
}
